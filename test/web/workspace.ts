/**
 * TEST FIXTURE for the dashboard suites: a real workspace made with the real pipeline, so every page shows
 * data produced the way users produce it.
 *  - a synthetic WikiCS-format graph (`gnnops data synth`'s generator: 300 nodes, 50 features; NOT a real
 *    dataset) with a metadata.json beside it holding WikiCS's ten class names and made-up article titles
 *    ("Synthetic article <id>"), so that title search has something to find;
 *  - two trainings of a GCN with different hidden sizes (tracked runs, registered as syn-gcn v1 and v2; the
 *    registry's auto-promotion sets `production`);
 *  - a 3-trial grid sweep over model.hidden whose trials train for real (runTraining per trial);
 *  - `serveLoader`: registry ref → the trained checkpoint as a ServedModel (loadPredictor on the same graph).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { loadDataset } from '../../src/data/load.js';
import { writeSynthetic } from '../../src/data/synth.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import { registeredTemperature } from '../../src/registry/calibration.js';
import { Registry } from '../../src/registry/index.js';
import { lineageOf } from '../../src/serve/loader.js';
import type { ServedModel } from '../../src/serve/model.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import type { TrialFn } from '../../src/sweep/types.js';
import { openStore } from '../../src/track/index.js';

/** WikiCS's class names (Mernyei & Cangea 2020, metadata.json of the dataset). */
export const WIKICS_CLASSES = [
  'Computational linguistics',
  'Databases',
  'Operating systems',
  'Computer architecture',
  'Computer security',
  'Internet protocols',
  'Computer file systems',
  'Distributed computing architecture',
  'Web technology',
  'Programming language topics',
];

export const NODES = 300;

export interface Workspace {
  home: string;
  dataFile: string;
  graph: GraphData;
  modelName: string;
  /** The version `production` points at after the trainings (the registry's auto-promotion decides). */
  production: number;
  /** Runs in the store after setup (trainings + sweep trials). */
  runs: number;
  sweepId: string;
  serveLoader: (ref: string) => Promise<ServedModel>;
}

export async function makeWorkspace(home: string): Promise<Workspace> {
  process.env.GNNOPS_HOME = home;
  const dataFile = join(home, 'syn', 'synth-wikics.json');
  writeSynthetic(dataFile, { nodes: NODES, features: 50, seed: 7, splits: 3 });
  writeFileSync(
    join(home, 'syn', 'metadata.json'),
    JSON.stringify({
      labels: Object.fromEntries(WIKICS_CLASSES.map((n, i) => [String(i), n])),
      nodes: Array.from({ length: NODES }, (_, i) => ({ title: `Synthetic article ${i}` })),
    }),
  );
  const base = [`data.file=${dataFile}`, 'train.splits=2', 'train.epochs=25', 'train.threads=1'];
  const cfg = (extra: string[]) => resolveConfig({ overrides: [...base, ...extra] });
  const graph = await loadDataset(cfg([]).data, { progress: false });

  let modelName = '';
  for (const hidden of [16, 8]) {
    const r = await runTraining({ config: cfg([`model.hidden=${hidden}`]), data: graph, runName: `gcn-h${hidden}` });
    modelName = r.model_name;
  }

  const store = await openStore({ home });
  const sweeps = new SweepStore(store);
  const spec = parseSweepSpec({
    name: 'hidden-grid',
    method: 'grid',
    metric: { name: 'val_acc', goal: 'maximize' },
    parameters: { 'model.hidden': { values: [4, 12, 24] } },
  });
  const sweep = await createSweep(sweeps, spec, { base: { overrides: base }, seed: 1 });
  const trial: TrialFn = async (config, ctx) => {
    const r = await runTraining({
      config,
      data: graph,
      register: false,
      sweepId: ctx.sweepId,
      runName: `${ctx.trialId}`,
      onEpoch: (_i, m) => (ctx.reportEpoch(m.epoch, { val_acc: m.val_acc }) === 'stop' ? false : undefined),
    });
    return { metrics: { val_acc: r.val_acc_mean, test_acc: r.test_acc_mean }, runId: r.run_id ?? undefined };
  };
  await runSweep(sweeps, sweep.id, { executor: new InProcessExecutor(trial) });
  const runs = store.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM runs').get()?.n ?? 0;
  const production = (await new Registry(store).aliases(modelName)).production;
  await store.close();

  const serveLoader = async (ref: string): Promise<ServedModel> => {
    const s = await openStore({ home, recover: false });
    try {
      const v = await new Registry(s).resolve(ref);
      return loadPredictor(v.checkpointPath, graph, {
        name: v.model,
        version: String(v.version),
        info: { metrics: v.metrics, lineage: lineageOf(v) },
        // as the registry loader serves a version: calibrated with its fitted temperature
        temperature: registeredTemperature(v) ?? 1,
      });
    } finally {
      await s.close();
    }
  };
  return { home, dataFile, graph, modelName, production, runs, sweepId: sweep.id, serveLoader };
}

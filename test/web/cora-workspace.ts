/**
 * TEST FIXTURE for browser suites that need a model that has learnt something: a GCN trained on the real Cora
 * (the gcn-planetoid preset, one seed) through the real pipeline (tracked run, registered version with its fitted
 * temperature), and `serveLoader` serving that version natively on the same graph, as the registry loader does.
 */
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { loadDataset } from '../../src/data/load.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import { registeredTemperature } from '../../src/registry/calibration.js';
import { Registry } from '../../src/registry/index.js';
import { lineageOf } from '../../src/serve/loader.js';
import type { ServedModel } from '../../src/serve/model.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { openStore } from '../../src/track/index.js';
import { coraRawDir } from '../data/shared-data.js';

export interface CoraWorkspace {
  home: string;
  graph: GraphData;
  modelName: string;
  testAcc: number;
  serveLoader: (ref: string) => Promise<ServedModel>;
}

export async function makeCoraWorkspace(home: string): Promise<CoraWorkspace> {
  process.env.GNNOPS_HOME = home;
  const config = resolveConfig({ preset: 'gcn-planetoid', overrides: ['train.seeds=1', 'train.threads=1'] });
  const graph = await loadDataset(config.data, { mirror: coraRawDir, progress: false });
  const r = await runTraining({ config, data: graph, runName: 'cora-gcn' });
  const serveLoader = async (ref: string): Promise<ServedModel> => {
    const s = await openStore({ home, recover: false });
    try {
      const v = await new Registry(s).resolve(ref);
      return loadPredictor(v.checkpointPath, graph, {
        name: v.model,
        version: String(v.version),
        info: { metrics: v.metrics, lineage: lineageOf(v) },
        temperature: registeredTemperature(v) ?? 1,
      });
    } finally {
      await s.close();
    }
  };
  return { home, graph, modelName: r.model_name, testAcc: r.test_acc_mean, serveLoader };
}

/**
 * A GCN trained on the real Cora (the gcn-planetoid preset, one seed) for the tests that need a model that has
 * learnt something: fidelity only means anything on a trained model. Trained once per process, in memory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { loadDataset } from '../../src/data/load.js';
import { createBackend, Rng, Tape } from '../../src/engine/index.js';
import { buildModel } from '../../src/nn/models/build.js';
import type { NodeModel } from '../../src/nn/models/model.js';
import { runProtocol } from '../../src/train/protocol.js';
import { coraRawDir } from '../data/shared-data.js';

export interface TrainedCora {
  data: GraphData;
  tape: Tape;
  model: NodeModel;
  testAcc: number;
}

let trained: Promise<TrainedCora> | undefined;

export function trainedCora(): Promise<TrainedCora> {
  trained ??= (async () => {
    process.env.GNNOPS_HOME ??= mkdtempSync(join(tmpdir(), 'gnnops-explain-'));
    const cfg = resolveConfig({ preset: 'gcn-planetoid', overrides: ['train.seeds=1', 'train.threads=1'] });
    const data = await loadDataset(cfg.data, { mirror: coraRawDir, progress: false });
    const backend = createBackend({ name: 'wasm', threads: 1 });
    const r = runProtocol({ config: cfg, data, backend });
    const tape = new Tape(backend);
    const model = buildModel(tape, new Rng(0), cfg.model, {
      numFeatures: data.numFeatures,
      numClasses: data.numClasses,
    });
    model.loadStateDict(r.best.state);
    return { data, tape, model, testAcc: r.runs[0].final.test_acc };
  })();
  return trained;
}

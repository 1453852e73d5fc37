/**
 * Calibration and the label-free estimate on a model that has learnt something: a GCN trained and registered on the
 * real Cora (the gcn-planetoid preset, one seed), served natively as the registry loader serves it. The test nodes'
 * labels are known, so the estimate from the served confidences can be held against the accuracy they realise.
 * Skips when ../shared's Cora is missing.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { loadDataset } from '../../src/data/load.js';
import { argmaxRows } from '../../src/engine/index.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import { fitTemperature, nll, selectRows } from '../../src/monitor/classification.js';
import { estimateAccuracy } from '../../src/monitor/estimate.js';
import { registeredTemperature } from '../../src/registry/calibration.js';
import { Registry } from '../../src/registry/index.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { openStore } from '../../src/track/index.js';
import { coraMissing, coraRawDir } from '../data/shared-data.js';
import { tempHome } from '../serve/helpers.js';

const indices = (mask: Uint8Array) => Int32Array.from(Array.from(mask).flatMap((m, i) => (m ? [i] : [])));

describe('calibration and the label-free estimate on a GCN trained on Cora', { skip: coraMissing }, () => {
  let graph: GraphData;
  let checkpoint: string;
  let temperature: number;

  before(async () => {
    const home = tempHome();
    const config = resolveConfig({ preset: 'gcn-planetoid', overrides: ['train.seeds=1', 'train.threads=1'] });
    graph = await loadDataset(config.data, { mirror: coraRawDir, progress: false });
    const r = await runTraining({ config, data: graph, runName: 'cora-calibration' });
    const store = await openStore({ home, recover: false });
    try {
      const v = await new Registry(store).resolve(`${r.model_name}@production`);
      checkpoint = v.checkpointPath;
      temperature = registeredTemperature(v) ?? Number.NaN;
    } finally {
      await store.close();
    }
  });

  it('the temperature registered with the version is the validation fit, and it lowers the validation NLL', async (t) => {
    const m = loadPredictor(checkpoint, graph);
    const all = Int32Array.from({ length: graph.numNodes }, (_, i) => i);
    const logits = await m.logitsNodes?.(all);
    m.close?.();
    assert.ok(logits);
    // Planetoid's Cora has one public split: the version's validation nodes are those of split 0
    assert.equal(graph.splits.length, 1);
    const val = selectRows(logits, graph.labels, graph.numClasses, indices(graph.splits[0].val));
    t.diagnostic(`T = ${temperature}; val NLL ${nll(val, temperature)} (raw ${nll(val, 1)})`);
    assert.ok(Number.isFinite(temperature) && temperature !== 1, `registered temperature ${temperature}`);
    assert.ok(
      Math.abs(fitTemperature(val) - temperature) < 1e-3 * temperature,
      `${fitTemperature(val)} vs ${temperature}`,
    );
    assert.ok(nll(val, temperature) < nll(val, 1) - 0.01, `val NLL ${nll(val, temperature)} vs raw ${nll(val, 1)}`);
  });

  for (const [label, calibrated] of [
    ['calibrated (served by default)', true],
    ['raw', false],
  ] as const)
    it(`the estimate on the test nodes from ${label} confidences against their realised accuracy`, async (t) => {
      const m = loadPredictor(checkpoint, graph, { temperature: calibrated ? temperature : 1 });
      const test = indices(graph.testMask);
      const probs = await m.predictNodes(test);
      m.close?.();
      const conf = new Float32Array(test.length);
      const classes = argmaxRows(probs, test.length, graph.numClasses, conf);
      let hits = 0;
      for (let k = 0; k < test.length; k++) if (classes[k] === graph.labels[test[k]]) hits++;
      const realised = hits / test.length;
      const e = estimateAccuracy(classes, conf, { numClasses: graph.numClasses });
      const gap = Math.abs(e.estimated - realised);
      const says = `estimate ${e.estimated.toFixed(4)} [${e.low.toFixed(4)}, ${e.high.toFixed(4)}], realised ${realised.toFixed(4)}`;
      t.diagnostic(says);
      assert.equal(e.n, 1000);
      if (calibrated) {
        // the goal for clean traffic: within 3 points, and inside the estimate's own 95% interval
        assert.ok(gap < 0.03, says);
        assert.ok(e.low <= realised && realised <= e.high, says);
      } else {
        // the raw softmax of this model is under-confident: its estimate is more than 3 points low
        assert.ok(e.estimated < realised - 0.03, says);
      }
    });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { saveCheckpoint } from '../../src/nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../src/nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../src/nn/export/onnx/gcn.js';
import type { ServedModel } from '../../src/serve/model.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { onnxServedModel } from '../../src/serve/onnx/served-model.js';
import { GnnopsError } from '../../src/util/errors.js';
import { makeTask, refBackend, testConfig, tinyGraph } from '../train/_fixtures.js';
import { tinyApp } from './helpers.js';

/** One trained GCN, served by both runtimes without its graph (subgraph predictions only). */
async function modelsWithoutGraph(): Promise<{ native: ServedModel; onnx: ServedModel }> {
  const cfg = testConfig(['model.name=gcn', 'model.hidden=8']);
  const data = tinyGraph();
  const s = makeTask(cfg, data);
  s.task.trainingStep();
  const path = join(mkdtempSync(join(tmpdir(), 'gnnops-nograph-')), 'm.safetensors');
  const meta = {
    model: cfg.model,
    config: cfg,
    dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
    dataset: { name: data.name, hash: data.hash },
    split: 0,
    metrics: {},
  };
  saveCheckpoint(path, s.model, meta);
  const weights = gcnWeightsFromCheckpoint({ meta: { model: cfg.model }, tensors: s.model.stateDict() });
  s.dispose();
  const native = loadPredictor(path, undefined, { name: 'nograph', version: '1', backend: refBackend });
  const onnx = await onnxServedModel({
    name: 'nograph',
    version: '1',
    model: exportGcnOnnx(weights),
    numFeatures: data.numFeatures,
    numClasses: data.numClasses,
  });
  return { native, onnx };
}

describe('node predictions with no graph loaded', () => {
  it('native and ONNX give the same NOT_AVAILABLE error, and every route answers 503 naming the input', async () => {
    const { native, onnx } = await modelsWithoutGraph();
    for (const [runtime, model] of [
      ['native', native],
      ['onnx', onnx],
    ] as const) {
      assert.equal(model.graph, undefined, runtime);
      await assert.rejects(
        async () => model.predictNodes(Int32Array.from([0])),
        (e: unknown) =>
          e instanceof GnnopsError &&
          e.code === 'E_NOT_AVAILABLE' &&
          e.details?.field === 'node_ids' &&
          /model nograph\/1 is served without a graph/.test(e.message),
        runtime,
      );
      const s = await tinyApp({ model });
      try {
        const v1 = await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: [0] } });
        assert.equal(v1.statusCode, 503, `${runtime} v1: ${v1.body}`);
        assert.equal(v1.json().code, 'E_NOT_AVAILABLE');
        assert.equal(v1.json().field, 'node_ids');
        assert.match(v1.json().error, /POST \/predict/);
        const v2 = await s.app.inject({
          method: 'POST',
          url: '/v2/models/nograph/infer',
          payload: { inputs: [{ name: 'node_ids', datatype: 'INT64', shape: [1], data: [0] }] },
        });
        assert.equal(v2.statusCode, 503, `${runtime} v2: ${v2.body}`);
        assert.equal(v2.json().code, 'E_NOT_AVAILABLE');
        assert.match(v2.json().error, /send x and edge_index instead/);
      } finally {
        await s.app.close();
      }
    }
  });
});

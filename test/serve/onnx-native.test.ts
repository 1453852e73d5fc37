import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { createBackend, Rng, structureFromEdges, Tape } from '../../src/engine/index.js';
import { gcnWeightsFromCheckpoint } from '../../src/nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../src/nn/export/onnx/gcn.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import { buildModel } from '../../src/nn/models/build.js';
import { onnxSubgraphRunner } from '../../src/serve/onnx/runtime.js';
import { rng } from './fixtures/random-gcn.js';

const backend = createBackend({ name: 'reference', dtype: 'f32' });

/** Softmax of the native engine's logits for one subgraph. */
function nativeProbs(
  overrides: string[],
  F: number,
  C: number,
  x: Float32Array,
  n: number,
  src: Int32Array,
  dst: Int32Array,
) {
  const cfg = resolveConfig({ overrides: ['train.backend=reference', 'model.name=gcn', ...overrides] });
  const tape = new Tape(backend);
  const model = buildModel(tape, new Rng(7), cfg.model, { numFeatures: F, numClasses: C });
  const graph = new GraphContext(backend, structureFromEdges(n, src, dst));
  const logits = model.forward(tape.tensor(x, [n, F]), { graph, training: false, rng: new Rng(0) }).toFloat32();
  const p = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[i * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += p[i * C + c] = Math.exp(logits[i * C + c] - m);
    for (let c = 0; c < C; c++) p[i * C + c] /= s;
  }
  const weights = gcnWeightsFromCheckpoint({ meta: { model: cfg.model }, tensors: model.stateDict() });
  graph.dispose();
  model.dispose();
  return { p, weights };
}

describe('ONNX export vs the native engine (parity: max |Δp| < 1e-4)', () => {
  const cases: [string, string[]][] = [
    ['GCN 2 layers, relu (the WikiCS paper width 33)', ['model.hidden=33', 'model.layers=2']],
    [
      'GCN 3 layers, elu, residual',
      ['model.hidden=16', 'model.layers=3', 'model.activation=elu', 'model.residual=true'],
    ],
    ['GCN 3 layers, leaky_relu', ['model.hidden=8', 'model.layers=3', 'model.activation=leaky_relu']],
  ];
  for (const [name, overrides] of cases) {
    it(name, async () => {
      const r = rng(31);
      const F = 20;
      const C = 5;
      const n = 15;
      const x = Float32Array.from({ length: n * F }, () => r() * 2 - 1);
      // random edges with self-loops and duplicates, plus one isolated node (14)
      const src = Int32Array.from({ length: 50 }, () => Math.floor(r() * 14));
      const dst = Int32Array.from({ length: 50 }, () => Math.floor(r() * 14));
      src[0] = dst[0] = 3;
      src[1] = src[2] = 5;
      dst[1] = dst[2] = 6;
      const { p, weights } = nativeProbs(overrides, F, C, x, n, src, dst);
      const runner = await onnxSubgraphRunner(exportGcnOnnx(weights));
      try {
        const got = await runner.run(x, n, F, src, dst);
        let max = 0;
        for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - p[i]));
        assert.ok(max < 1e-4, `max |Δp| = ${max}`);
      } finally {
        await runner.close();
      }
    });
  }

  it('refuses what the exporter cannot reproduce', () => {
    const cfg = resolveConfig({ overrides: ['model.name=gcn', 'model.layer_norm=true'] });
    assert.throws(() => gcnWeightsFromCheckpoint({ meta: { model: cfg.model }, tensors: new Map() }), /layer_norm/);
    const sage = resolveConfig({ overrides: ['model.name=sage'] });
    assert.throws(() => gcnWeightsFromCheckpoint({ meta: { model: sage.model }, tensors: new Map() }), /sage/);
  });
});

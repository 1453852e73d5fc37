import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportGcnOnnx, type GcnWeights } from '../../src/nn/export/onnx/gcn.js';
import { pruneWeights, quantizeInt8 } from '../../src/nn/export/onnx/optimize.js';
import { onnxSubgraphRunner } from '../../src/serve/onnx/runtime.js';
import { randomGcn, referenceGcn, rng } from './fixtures/random-gcn.js';

describe('model optimisation for ONNX export', () => {
  it('quantises per output column to int8 (hand-checked)', () => {
    // W = [[1, -0.5], [0.25, 0]]: column scales 1/127 and 0.5/127
    const { q, scale } = quantizeInt8(Float32Array.from([1, -0.5, 0.25, 0]), 2, 2);
    assert.deepEqual([...q], [127, -127, 32, 0]); // 0.25 · 127 = 31.75 → 32
    assert.ok(Math.abs(scale[0] - 1 / 127) < 1e-9 && Math.abs(scale[1] - 0.5 / 127) < 1e-9);
    const zeros = quantizeInt8(new Float32Array(4), 2, 2);
    assert.deepEqual([...zeros.scale], [1, 1], 'an all-zero column keeps scale 1');
  });

  it('bounds the quantisation error by half a step', () => {
    const r = rng(11);
    const w = Float32Array.from({ length: 300 * 33 }, () => r() * 2 - 1);
    const { q, scale } = quantizeInt8(w, 300, 33);
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(q[i] * scale[i % 33] - w[i]) <= scale[i % 33] / 2 + 1e-7);
  });

  it('prunes the globally smallest |w| and leaves biases alone', () => {
    const w: GcnWeights = {
      layers: [
        { in: 2, out: 2, weight: Float32Array.from([1, -2, 3, -4]), bias: Float32Array.from([0.01, 0.02]) },
        { in: 2, out: 1, weight: Float32Array.from([0.5, 6]), bias: Float32Array.from([0.03]) },
      ],
    };
    const p = pruneWeights(w, 0.5);
    assert.deepEqual([...p.layers[0].weight], [0, 0, 3, -4]);
    assert.deepEqual([...p.layers[1].weight], [0, 6]);
    assert.deepEqual([...p.layers[0].bias], [0.01, 0.02].map(Math.fround));
    assert.deepEqual([...w.layers[0].weight], [1, -2, 3, -4], 'input untouched');
    assert.throws(() => pruneWeights(w, 1), /prune fraction/);
  });

  it('an int8 export is ~4× smaller and computes the GCN with the dequantised weights', async () => {
    const w = randomGcn([300, 64, 10], 12);
    const f32 = exportGcnOnnx(w);
    const i8 = exportGcnOnnx(w, {}, { quantize: 'int8' });
    assert.ok(i8.length < f32.length * 0.3, `int8 ${i8.length} B vs float ${f32.length} B`);

    const deq: GcnWeights = {
      layers: w.layers.map((l) => {
        const { q, scale } = quantizeInt8(l.weight, l.in, l.out);
        return { ...l, weight: Float32Array.from(q, (v, i) => v * scale[i % l.out]) };
      }),
    };
    const r = rng(13);
    const n = 20;
    const x = Float32Array.from({ length: n * 300 }, () => r() * 2 - 1);
    const src = Int32Array.from({ length: 60 }, () => Math.floor(r() * n));
    const dst = Int32Array.from({ length: 60 }, () => Math.floor(r() * n));
    const want = referenceGcn(deq, x, n, src, dst);
    const float = referenceGcn(w, x, n, src, dst);
    // basic optimisation: the graph's exact float semantics; all: ONNX Runtime's int8 kernels (activations quantised)
    for (const [optimization, bound] of [
      ['basic', 1e-5],
      ['all', 5e-3],
    ] as const) {
      const runner = await onnxSubgraphRunner(i8, { optimization });
      try {
        const got = await runner.run(x, n, 300, src, dst);
        let max = 0;
        let agree = 0;
        for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
        for (let v = 0; v < n; v++) {
          const am = (p: ArrayLike<number>) => {
            let b = 0;
            for (let c = 1; c < 10; c++) if (p[v * 10 + c] > p[v * 10 + b]) b = c;
            return b;
          };
          if (am(got) === am(float)) agree++;
        }
        assert.ok(max < bound, `${optimization}: max |Δp| vs the dequantised reference = ${max}`);
        assert.ok(agree >= n - 1, `${optimization}: ${agree}/${n} predictions agree with the float model`);
      } finally {
        await runner.close();
      }
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { ModelNames } from '../../src/config/sections/model.js';
import { createBackend, Rng, Tape } from '../../src/engine/index.js';
import { makeVariant, parseOptimization, weightMatrixNames } from '../../src/jobs/optimize/index.js';
import type { LoadedCheckpoint } from '../../src/nn/checkpoint.js';
import { quantizeInt8 } from '../../src/nn/export/onnx/optimize.js';
import { buildModel } from '../../src/nn/models/build.js';
import { isGnnopsError } from '../../src/util/errors.js';

// Freshly initialised models of every kind (random Glorot weights, no exact zeros): enough to check which tensors
// change and how; accuracy on real data is the CLI test's business (test/cli/models-optimize.test.ts).
function checkpointOf(kind: (typeof ModelNames)[number]): LoadedCheckpoint {
  const config = resolveConfig({ overrides: [`model.name=${kind}`, 'model.hidden=8'] });
  const dims = { numFeatures: 12, numClasses: 3 };
  const model = buildModel(
    new Tape(createBackend({ name: 'reference', dtype: 'f32' })),
    new Rng(3),
    config.model,
    dims,
  );
  const tensors = new Map([...model.stateDict()].map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }]));
  model.dispose();
  return {
    meta: { model: config.model, config, dims, dataset: { name: 't', hash: 'h' }, split: 0, metrics: {} },
    tensors,
  };
}

const fieldOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    assert.ok(isGnnopsError(e), String(e));
    return (e.details as { field?: unknown }).field;
  }
  assert.fail('expected an error');
};

describe('optimisation flags', () => {
  it('accept exactly one of --quantize int8 and --prune in (0, 1)', () => {
    assert.deepEqual(parseOptimization({ quantize: 'int8' }), { kind: 'quantize', dtype: 'int8' });
    assert.deepEqual(parseOptimization({ prune: '0.5' }), { kind: 'prune', fraction: 0.5 });
    assert.throws(() => parseOptimization({ prune: '1.5' }), /--prune: "1\.5" must be a fraction .* between 0 and 1/);
    for (const p of ['1.5', '0', '1', '-0.2', 'half', '', 'NaN'])
      assert.equal(
        fieldOf(() => parseOptimization({ prune: p })),
        'prune',
        p,
      );
    assert.equal(
      fieldOf(() => parseOptimization({ quantize: 'int4' })),
      'quantize',
    );
    assert.throws(() => parseOptimization({ quantize: 'int8', prune: '0.5' }), /--quantize and --prune: choose one/);
    assert.throws(() => parseOptimization({}), /--quantize int8 or --prune <fraction> is required/);
  });
});

describe('makeVariant', () => {
  for (const kind of ModelNames) {
    it(`${kind}: prune 0.5 zeroes half of the weight matrices and nothing else`, () => {
      const ckpt = checkpointOf(kind);
      const names = weightMatrixNames(ckpt.tensors);
      assert.ok(names.length >= 1);
      const v = makeVariant(ckpt, { kind: 'prune', fraction: 0.5 });
      const total = names.reduce((a, n) => a + ckpt.tensors.get(n)!.data.length, 0);
      assert.equal(v.weights, total);
      assert.equal(v.zeroWeights, Math.floor(total / 2));
      // the pruned entries are the smallest |w|: every kept |w| ≥ every pruned |w|
      let maxPruned = 0;
      let minKept = Number.POSITIVE_INFINITY;
      for (const n of names) {
        const a = ckpt.tensors.get(n)!.data;
        const b = v.tensors.get(n)!.data;
        for (let i = 0; i < a.length; i++) {
          if (b[i] === 0) maxPruned = Math.max(maxPruned, Math.abs(a[i]));
          else {
            assert.equal(b[i], a[i]);
            minKept = Math.min(minKept, Math.abs(a[i]));
          }
        }
      }
      assert.ok(maxPruned <= minKept);
      for (const [k, t] of ckpt.tensors) {
        if (!names.includes(k)) assert.deepEqual(v.tensors.get(k)!.data, t.data, `${k} unchanged`);
      }
      assert.equal(v.onnx, null);
    });

    it(`${kind}: int8 stores q·scale per output column, within half a step of each weight`, () => {
      const ckpt = checkpointOf(kind);
      const v = makeVariant(ckpt, { kind: 'quantize', dtype: 'int8' });
      for (const n of v.matrices) {
        const src = ckpt.tensors.get(n)!;
        const [rows, cols] = src.shape;
        const { q, scale } = quantizeInt8(src.data, rows, cols);
        const got = v.tensors.get(n)!.data;
        for (let i = 0; i < got.length; i++) {
          assert.equal(got[i], Math.fround(q[i] * scale[i % cols]));
          assert.ok(Math.abs(got[i] - src.data[i]) <= scale[i % cols] / 2 + 1e-7);
        }
      }
      if (kind === 'gcn') assert.ok(v.onnx && v.onnx.byteLength > 0, 'a GCN gets an int8 ONNX artifact');
      else {
        assert.equal(v.onnx, null);
        assert.match(v.onnxUnavailable ?? '', /supports GCN models/);
      }
    });
  }
});

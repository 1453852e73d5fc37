import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../src/engine/gradcheck.js';
import { binaryEntropy, ENTROPY_EPS, scaleColumns, sigmoid, spreadEdges } from '../../src/explain/ops.js';
import { GnnopsError } from '../../src/util/errors.js';
import { f64Tape, Rng, randParam } from '../engine/_setup.js';

describe('explanation ops: values', () => {
  it('sigmoid, binary entropy, column scaling and edge spreading on hand-checked inputs', () => {
    const tape = f64Tape();
    assert.deepEqual(
      [...sigmoid(tape.tensor([0, Math.log(3)], [2])).data].map((v) => +v.toFixed(12)),
      [0.5, 0.75],
    );
    const h = binaryEntropy(tape.tensor([0.5, 0, 1], [3])).data;
    assert.ok(Math.abs(h[0] - Math.LN2) < 1e-12);
    // at exactly 0 and 1 the ε keeps the entropy finite and (to ε) zero
    assert.ok(Math.abs(h[1]) < 1e-13 && Math.abs(h[2]) < 1e-13, `${h[1]} ${h[2]} (ε ${ENTROPY_EPS})`);
    const x = tape.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual([...scaleColumns(x, tape.tensor([10, 0, -1], [3])).data], [10, 0, -3, 40, 0, -6]);
    assert.deepEqual(
      [...spreadEdges(tape.tensor([0.25, 0.5], [2, 1]), Int32Array.of(3, 0), 5).data],
      [0.5, 1, 1, 0.25, 1],
    );
  });

  it('shape errors name the op', () => {
    const tape = f64Tape();
    assert.throws(
      () => scaleColumns(tape.tensor([1, 2, 3, 4], [2, 2]), tape.tensor([1, 2, 3], [3])),
      (e: unknown) => e instanceof GnnopsError && /scaleColumns: v has 3 entries, x has 2 columns/.test(e.message),
    );
    assert.throws(
      () => spreadEdges(tape.tensor([1], [1, 1]), Int32Array.of(4), 3),
      (e: unknown) => e instanceof GnnopsError && /spreadEdges: position 4 is outside 0\.\.2/.test(e.message),
    );
  });
});

describe('explanation ops: gradients by finite differences (float64)', () => {
  const rng = new Rng(11);
  it('sigmoid', () => {
    const tape = f64Tape();
    const x = randParam(tape, rng, [4, 3]);
    const r = gradcheck(tape, () => sigmoid(x), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('binaryEntropy (inputs inside (0, 1))', () => {
    const tape = f64Tape();
    const m = tape.tensor(
      Array.from({ length: 8 }, () => rng.uniform(0.05, 0.95)),
      [8],
      { requiresGrad: true },
    );
    const r = gradcheck(tape, () => binaryEntropy(m), [m]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('scaleColumns, both inputs', () => {
    const tape = f64Tape();
    const x = randParam(tape, rng, [5, 3]);
    const v = randParam(tape, rng, [3]);
    const r = gradcheck(tape, () => scaleColumns(x, v), [x, v]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('spreadEdges', () => {
    const tape = f64Tape();
    const m = randParam(tape, rng, [3, 1]);
    const r = gradcheck(tape, () => spreadEdges(m, Int32Array.of(4, 1, 6), 8), [m]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('the composition GNNExplainer differentiates: entropy of a sigmoid mask', () => {
    const tape = f64Tape();
    const p = randParam(tape, rng, [6]);
    const r = gradcheck(tape, () => binaryEntropy(sigmoid(p)), [p]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

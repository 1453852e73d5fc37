import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { linear, matmul } from '../../../src/engine/ops/matmul.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('matmul', () => {
  it('computes a known product', () => {
    const tape = f64Tape();
    const a = tape.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tape.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
    assert.deepEqual([...matmul(a, b).data], [58, 64, 139, 154]);
    // aᵀ stored: a is 2×3 so aᵀ·a' needs a' with 2 rows.
    const c = tape.tensor([1, 0, 0, 1], [2, 2]);
    assert.deepEqual([...matmul(a, c, { transA: true }).data], [1, 4, 2, 5, 3, 6]);
    assert.deepEqual([...matmul(c, a, { transB: false }).data], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...matmul(a, a, { transB: true }).data], [14, 32, 32, 77]);
  });

  it('rejects mismatched inner dimensions naming them', () => {
    const tape = f64Tape();
    const a = tape.zeros([2, 3]);
    assert.throws(() => matmul(a, a), /inner dimensions differ: a gives 3, b gives 2/);
  });

  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`gradients match finite differences (transA=${transA}, transB=${transB})`, () => {
        const tape = f64Tape();
        const rng = new Rng(11);
        const [m, k, n] = [3, 4, 5];
        const a = randParam(tape, rng, transA ? [k, m] : [m, k]);
        const b = randParam(tape, rng, transB ? [n, k] : [k, n]);
        const r = gradcheck(tape, () => matmul(a, b, { transA, transB }), [a, b]);
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.checked, a.size + b.size);
      });
    }
  }

  it('linear (x·W + b) gradients match, including a reused input', () => {
    const tape = f64Tape();
    const rng = new Rng(5);
    const x = randParam(tape, rng, [4, 3]);
    const w = randParam(tape, rng, [3, 3]);
    const b = randParam(tape, rng, [3]);
    // x feeds both the product and, through the second linear, itself again: gradients must accumulate.
    const r = gradcheck(tape, () => linear(linear(x, w, b), w), [x, w, b]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

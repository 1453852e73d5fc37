import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { layerNorm } from '../../../src/engine/ops/norm.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('layerNorm', () => {
  it('normalises each row to zero mean and unit (biased) variance before the affine map', () => {
    const tape = f64Tape();
    const x = tape.tensor([1, 2, 3, 4, 10, 10, 10, 14], [2, 4]);
    const ones = tape.tensor([1, 1, 1, 1], [4]);
    const zeros = tape.zeros([4]);
    const y = layerNorm(x, ones, zeros, 0).data;
    // Row 0: mean 2.5, variance 1.25.
    const s = Math.sqrt(1.25);
    assert.deepEqual(
      [...y.subarray(0, 4)].map((v) => Number(v.toFixed(12))),
      [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map((v) => Number(v.toFixed(12))),
    );
    const g = tape.tensor([2, 2, 2, 2], [4]);
    const b = tape.tensor([1, 1, 1, 1], [4]);
    const z = layerNorm(x, g, b).data;
    assert.ok(Math.abs(z[0] - (2 * (-1.5 / Math.sqrt(1.25 + 1e-5)) + 1)) < 1e-12);
  });

  it('gradients w.r.t. x, gamma and beta match finite differences', () => {
    const tape = f64Tape();
    const rng = new Rng(3);
    const x = randParam(tape, rng, [4, 5]);
    const gamma = randParam(tape, rng, [5]);
    const beta = randParam(tape, rng, [5]);
    const r = gradcheck(tape, () => layerNorm(x, gamma, beta), [x, gamma, beta]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

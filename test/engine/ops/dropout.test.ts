import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { dropout } from '../../../src/engine/ops/dropout.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('dropout', () => {
  it('is the identity in eval mode and for p = 0', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(1), [3, 3]);
    assert.equal(dropout(x, 0.5, false, new Rng(1)), x);
    assert.equal(dropout(x, 0, true, new Rng(1)), x);
  });

  it('zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const tape = f64Tape();
    const n = 20_000;
    const x = tape.tensor(new Float64Array(n).fill(2), [n, 1]);
    const y = dropout(x, 0.3, true, new Rng(5)).data;
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - 2 / 0.7) < 1e-12);
    }
    assert.ok(Math.abs(zeros / n - 0.3) < 0.015, `dropped ${zeros / n}`);
  });

  it('gives the same mask for the same seed and a different one for another seed', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(1), [8, 8]);
    const a = [...dropout(x, 0.5, true, new Rng(9)).data];
    const b = [...dropout(x, 0.5, true, new Rng(9)).data];
    const c = [...dropout(x, 0.5, true, new Rng(10)).data];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('p = 1 outputs zeros; p outside [0, 1] is rejected', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(1), [2, 2]);
    assert.ok(dropout(x, 1, true, new Rng(1)).data.every((v) => v === 0));
    assert.throws(() => dropout(x, 1.5, true, new Rng(1)), /dropout p: 1.5 is outside \[0, 1\]/);
  });

  it('gradients match finite differences for a fixed mask', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(3), [5, 4]);
    const r = gradcheck(tape, () => dropout(x, 0.4, true, new Rng(77)), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

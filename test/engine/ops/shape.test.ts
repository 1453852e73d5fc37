import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { concatCols, headMean, indexSelect, sliceRows } from '../../../src/engine/ops/shape.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('shape ops', () => {
  it('concatCols, headMean and indexSelect compute known values', () => {
    const tape = f64Tape();
    const a = tape.tensor([1, 2, 3, 4], [2, 2]);
    const b = tape.tensor([5, 6], [2, 1]);
    assert.deepEqual([...concatCols([a, b]).data], [1, 2, 5, 3, 4, 6]);
    const h = tape.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    assert.deepEqual([...headMean(h, 2).data], [2, 3, 6, 7]);
    assert.deepEqual([...indexSelect(a, Int32Array.from([1, 1, 0])).data], [3, 4, 3, 4, 1, 2]);
  });

  it('reject bad arguments with the index and limit', () => {
    const tape = f64Tape();
    const a = tape.zeros([2, 2]);
    assert.throws(() => indexSelect(a, Int32Array.from([0, 2])), /index 2 at position 1 is outside \[0, 2\)/);
    assert.throws(() => concatCols([a, tape.zeros([3, 1])]), /has 3 rows, the first tensor has 2/);
    assert.throws(() => headMean(tape.zeros([2, 5]), 2), /2 does not divide 5 columns/);
  });

  it('concatCols gradients match finite differences', () => {
    const tape = f64Tape();
    const rng = new Rng(1);
    const a = randParam(tape, rng, [3, 2]);
    const b = randParam(tape, rng, [3, 3]);
    const r = gradcheck(tape, () => concatCols([a, b, a]), [a, b]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('headMean gradients match finite differences', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(2), [3, 6]);
    const r = gradcheck(tape, () => headMean(x, 3), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('indexSelect scatter-adds repeated rows in backward', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(3), [4, 3]);
    const r = gradcheck(tape, () => indexSelect(x, Int32Array.from([2, 0, 2, 3, 2])), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('sliceRows keeps the leading rows and its gradients match finite differences', () => {
    const tape = f64Tape();
    const a = tape.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    assert.deepEqual([...sliceRows(a, 2).data], [1, 2, 3, 4]);
    assert.throws(() => sliceRows(a, 4), /4 is outside \[0, 3\]/);
    const x = randParam(tape, new Rng(4), [5, 3]);
    const r = gradcheck(tape, () => sliceRows(x, 3), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

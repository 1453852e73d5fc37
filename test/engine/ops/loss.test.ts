import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import {
  accuracy,
  argmax,
  argmaxRows,
  crossEntropy,
  logSoftmax,
  maskToRows,
  nllLoss,
  softmax,
  softmaxRows,
} from '../../../src/engine/ops/loss.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('losses', () => {
  it('crossEntropy over a mask equals the hand-computed mean of −log softmax at the label', () => {
    const tape = f64Tape();
    const logits = tape.tensor([2, 0, 0, 0, 1, 0, 5, 5, 5], [3, 3]);
    const labels = Int32Array.from([0, 2, 1]);
    const l = crossEntropy(logits, labels, Uint8Array.from([1, 0, 1])).item();
    const row0 = -(2 - Math.log(Math.exp(2) + 2));
    const row2 = Math.log(3);
    assert.ok(Math.abs(l - (row0 + row2) / 2) < 1e-12);
    const viaNll = nllLoss(logSoftmax(logits), labels, Int32Array.from([0, 2])).item();
    assert.ok(Math.abs(viaNll - l) < 1e-12);
  });

  it('logSoftmax rows exponentiate to 1, even with large logits', () => {
    const tape = f64Tape();
    const y = logSoftmax(tape.tensor([1000, 1001, 1002, -5, 0, 5], [2, 3])).data;
    for (let i = 0; i < 2; i++) {
      const s = Math.exp(y[i * 3]) + Math.exp(y[i * 3 + 1]) + Math.exp(y[i * 3 + 2]);
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
  });

  it('rejects labels outside the classes, unlabelled nodes in the mask, and empty masks', () => {
    const tape = f64Tape();
    const logits = tape.zeros([2, 3]);
    assert.throws(() => crossEntropy(logits, Int32Array.from([0, 3])), /node 1 has label 3, outside \[0, 3\)/);
    assert.throws(() => crossEntropy(logits, Int32Array.from([-1, 0]), Int32Array.from([0])), /label -1/);
    assert.doesNotThrow(() => crossEntropy(logits, Int32Array.from([-1, 0]), Int32Array.from([1])));
    assert.throws(() => crossEntropy(logits, Int32Array.from([0, 0]), new Uint8Array(2)), /selects no rows/);
    assert.throws(() => crossEntropy(logits, Int32Array.from([0, 0]), new Uint8Array(3)), /mask has length 3/);
  });

  it('crossEntropy gradients match finite differences on masked rows only', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(1), [6, 4]);
    const labels = Int32Array.from([0, 3, 2, 1, 1, 0]);
    const rows = Int32Array.from([0, 2, 3, 5]);
    const r = gradcheck(tape, () => crossEntropy(x, labels, rows), [x]);
    assert.ok(r.ok, JSON.stringify(r));
    tape.backward(crossEntropy(x, labels, rows));
    // Rows outside the mask get no gradient.
    for (const i of [1, 4]) for (let k = 0; k < 4; k++) assert.equal(x.grad?.[i * 4 + k], 0);
  });

  it('logSoftmax and nllLoss gradients match finite differences', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(2), [5, 3]);
    assert.ok(gradcheck(tape, () => logSoftmax(x), [x]).ok);
    const labels = Int32Array.from([2, 0, 1, 1, 2]);
    const r = gradcheck(tape, () => nllLoss(logSoftmax(x), labels, Uint8Array.from([1, 1, 0, 1, 1])), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('softmax rows sum to 1, equal exp(logSoftmax), and its gradients match finite differences', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(3), [4, 5]);
    const p = softmax(x).data;
    const lp = logSoftmax(x).data;
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let k = 0; k < 5; k++) {
        s += p[i * 5 + k];
        assert.ok(Math.abs(p[i * 5 + k] - Math.exp(lp[i * 5 + k])) < 1e-15);
      }
      assert.ok(Math.abs(s - 1) < 1e-14);
    }
    tape.reset();
    const r = gradcheck(tape, () => softmax(x), [x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('accuracy and argmax count matches over the mask', () => {
    const tape = f64Tape();
    const logits = tape.tensor([0, 1, 1, 0, 0.2, 0.1, 3, 3], [4, 2]);
    assert.deepEqual([...argmax(logits)], [1, 0, 0, 0]);
    const labels = Int32Array.from([1, 1, 0, 1]);
    assert.equal(accuracy(logits, labels), 0.5);
    assert.equal(accuracy(logits, labels, Int32Array.from([0, 2])), 1);
    assert.deepEqual([...maskToRows(Uint8Array.from([0, 1, 1, 0, 1]))], [1, 2, 4]);
  });

  it('softmaxRows on a plain array equals the softmax op, stays finite on large logits, and checks sizes', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(5), [3, 4]);
    const op = softmax(x).data;
    const plain = softmaxRows(x.data, 3, 4);
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(plain[k] - op[k]) < 1e-6, `entry ${k}`);
    const big = softmaxRows(Float32Array.from([1000, 999, -1000, -1000]), 2, 2);
    assert.ok(Math.abs(big[0] - 1 / (1 + Math.exp(-1))) < 1e-6);
    assert.equal(big[2], 0.5);
    const into = new Float32Array(4);
    assert.equal(softmaxRows([0, 0, 0, 0], 2, 2, into), into);
    assert.deepEqual([...into], [0.5, 0.5, 0.5, 0.5]);
    assert.throws(() => softmaxRows([0, 0, 0], 2, 2), /softmaxRows v/);
    assert.throws(() => softmaxRows([0, 0, 0, 0], 2, 2, new Float32Array(3)), /softmaxRows out/);
  });

  it('argmaxRows takes the first index on ties and writes each row maximum to maxOut', () => {
    const p = Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8]);
    const top = new Float32Array(3);
    assert.deepEqual([...argmaxRows(p, 3, 3, top)], [1, 0, 2]);
    assert.deepEqual([...top], [p[1], p[3], p[8]]);
    assert.deepEqual([...argmaxRows(p, 3, 3)], [1, 0, 2]);
    assert.throws(() => argmaxRows(p, 4, 3), /argmaxRows v/);
    assert.throws(() => argmaxRows(p, 3, 3, new Float32Array(2)), /argmaxRows maxOut/);
  });
});

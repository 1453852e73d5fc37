import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { add } from '../../../src/engine/ops/elementwise.js';
import { crossEntropy } from '../../../src/engine/ops/loss.js';
import { l2Penalty, mean, sum } from '../../../src/engine/ops/reduce.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('reductions', () => {
  it('sum, mean and l2Penalty compute known values', () => {
    const tape = f64Tape();
    const a = tape.tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    const b = tape.tensor([1, -1], [2], { requiresGrad: true });
    assert.equal(sum(a).item(), 10);
    assert.equal(mean(a).item(), 2.5);
    assert.equal(l2Penalty([a, b], 0.1).item(), 0.5 * 0.1 * 32);
  });

  it('gradients match finite differences', () => {
    const tape = f64Tape();
    const rng = new Rng(1);
    const a = randParam(tape, rng, [3, 4]);
    const b = randParam(tape, rng, [4]);
    for (const fn of [() => sum(a), () => mean(a), () => l2Penalty([a, b], 0.3)]) {
      const r = gradcheck(tape, fn, [a, b]);
      assert.ok(r.ok, JSON.stringify(r));
    }
  });

  it('loss + l2Penalty(λ) has the gradient an optimizer with coupled weight decay λ adds (∇loss + λθ)', () => {
    const tape = f64Tape();
    const x = randParam(tape, new Rng(2), [3, 4]);
    const labels = Int32Array.from([0, 1, 3]);
    tape.backward(crossEntropy(x, labels));
    const plain = Float64Array.from(x.grad ?? []);
    tape.reset();
    x.grad = null;
    tape.backward(add(crossEntropy(x, labels), l2Penalty([x], 0.05)));
    for (let k = 0; k < x.size; k++) assert.ok(Math.abs((x.grad?.[k] ?? 0) - (plain[k] + 0.05 * x.data[k])) < 1e-12);
  });
});

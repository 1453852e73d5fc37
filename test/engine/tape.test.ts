import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import type { Backend, FArray } from '../../src/engine/backend/types.js';
import { relu } from '../../src/engine/ops/activation.js';
import { add, mul } from '../../src/engine/ops/elementwise.js';
import { matmul } from '../../src/engine/ops/matmul.js';
import { sum } from '../../src/engine/ops/reduce.js';
import { Tape } from '../../src/engine/tape.js';
import { f64Tape } from './_setup.js';

/** Wraps a backend to count buffers handed out and returned. */
function counting(be: Backend): Backend & { live: () => number } {
  let live = 0;
  const c = Object.create(be) as Backend & { live: () => number };
  c.alloc = (n: number): FArray => {
    live++;
    return be.alloc(n);
  };
  c.allocU8 = (n: number) => {
    live++;
    return be.allocU8(n);
  };
  c.free = (b) => {
    live--;
    be.free(b);
  };
  c.live = () => live;
  return c;
}

describe('Tape', () => {
  it('accumulates gradients of a tensor used several times (d/dx of x·x + x = 2x + 1)', () => {
    const tape = f64Tape();
    const x = tape.tensor([1, -2, 3], [3], { requiresGrad: true });
    tape.backward(sum(add(mul(x, x), x)));
    assert.deepEqual([...(x.grad ?? [])], [3, -3, 7]);
  });

  it('adds into parameter grads across backward passes until zeroed, like torch', () => {
    const tape = f64Tape();
    const w = tape.tensor([2], [1, 1], { requiresGrad: true });
    const x = tape.tensor([3], [1, 1]);
    tape.backward(sum(matmul(x, w)));
    tape.reset();
    tape.backward(sum(matmul(x, w)));
    assert.equal(w.grad?.[0], 6);
    assert.equal(x.grad, null, 'constants get no gradient');
  });

  it('records nothing under noGrad and refuses backward from such a root', () => {
    const tape = f64Tape();
    const w = tape.tensor([1, 2], [2], { requiresGrad: true });
    const y = tape.noGrad(() => sum(relu(w)));
    assert.equal(y.requiresGrad, false);
    assert.throws(() => tape.backward(y), /does not require grad/);
    assert.equal(tape.isRecording, true);
  });

  it('needs a seed for a non-scalar root', () => {
    const tape = f64Tape();
    const w = tape.tensor([1, 2], [2], { requiresGrad: true });
    assert.throws(() => tape.backward(relu(w)), /a seed is needed/);
    tape.backward(relu(w), [5, 7]);
    assert.deepEqual([...(w.grad ?? [])], [5, 7]);
  });

  it('releases intermediate grads during backward and every temp on reset; memory is flat across epochs', () => {
    const be = counting(createBackend({ name: 'reference', dtype: 'f64' }));
    const tape = new Tape(be);
    const w = tape.tensor([0.5, -1, 2, 0.25], [2, 2], { requiresGrad: true });
    const x = tape.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const lives: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      const h = relu(matmul(x, w));
      tape.backward(sum(h));
      assert.equal(h.grad, null, 'intermediate grad freed after use');
      tape.reset();
      assert.ok(h.isDisposed);
      assert.equal(tape.liveCount, 0);
      lives.push(be.live());
    }
    // Flat after warm-up: the tape pools the epoch's buffers and reuses them.
    assert.ok(
      lives.slice(2).every((v) => v === lives[1]),
      `live buffers per epoch: ${lives}`,
    );
    // Disposing the tape returns its pool: only the persistent tensors (w, x) and w's grad remain.
    tape.dispose();
    assert.equal(be.live(), 3);
  });

  it('keep() lets an output outlive reset', () => {
    const tape = f64Tape();
    const x = tape.tensor([1, -1], [2]);
    const y = tape.keep(relu(x));
    tape.reset();
    assert.equal(y.isDisposed, false);
    assert.deepEqual([...y.data], [1, 0]);
  });

  it('retainGrad keeps an intermediate gradient for inspection', () => {
    const tape = f64Tape();
    const w = tape.tensor([1, 2], [2], { requiresGrad: true });
    const h = mul(w, w);
    h.retainGrad = true;
    tape.backward(sum(h));
    assert.deepEqual([...(h.grad ?? [])], [1, 1]);
  });
});

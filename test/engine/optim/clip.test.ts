import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipGradNorm, clipGradValue } from '../../../src/engine/optim/clip.js';
import { SGD } from '../../../src/engine/optim/sgd.js';
import { quadraticParam } from './_quadratic.js';

function withGrad(values: number[]) {
  const p = quadraticParam(values.map(() => 0));
  p.grad = p.tape.backend.alloc(values.length);
  p.grad.set(values);
  return p;
}

describe('gradient clipping and zeroGrad', () => {
  it('clipGradNorm scales all gradients by maxNorm/(‖g‖ + 1e-6) when the global norm exceeds maxNorm', () => {
    const a = withGrad([3]);
    const b = withGrad([0, 4]);
    const total = clipGradNorm([a, b], 1);
    assert.equal(total, 5);
    const c = 1 / (5 + 1e-6);
    assert.deepEqual([a.grad?.[0], b.grad?.[1]], [3 * c, 4 * c]);
  });

  it('leaves gradients under the limit unchanged and rejects a non-positive limit', () => {
    const a = withGrad([0.3, 0.4]);
    assert.equal(clipGradNorm([a], 1), 0.5);
    assert.deepEqual([...(a.grad ?? [])], [0.3, 0.4]);
    assert.throws(() => clipGradNorm([a], 0), /maxNorm: 0 must be > 0/);
  });

  it('clipGradValue clamps entries', () => {
    const a = withGrad([-3, 0.5, 2]);
    clipGradValue([a], 1);
    assert.deepEqual([...(a.grad ?? [])], [-1, 0.5, 1]);
  });

  it('zeroGrad clears gradients and a parameter without a gradient is skipped by step', () => {
    const a = withGrad([1, 2]);
    const b = quadraticParam([5]);
    const opt = new SGD([a, b], { lr: 1 });
    opt.step();
    assert.deepEqual([...a.data], [-1, -2]);
    assert.deepEqual([...b.data], [5]);
    opt.zeroGrad();
    assert.deepEqual([...(a.grad ?? [])], [0, 0]);
  });
});

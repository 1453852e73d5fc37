import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SGD } from '../../../src/engine/optim/sgd.js';
import { near, quadraticParam, run } from './_quadratic.js';

// f(θ) = ½θ², θ₀ = 1, lr 0.1: every value below is worked by hand from θ ← θ − γ·g.
describe('SGD', () => {
  it('plain steps: θ ← 0.9θ', () => {
    const p = quadraticParam([1]);
    const t = run(new SGD([p], { lr: 0.1 }), p, [1], 3);
    [0.9, 0.81, 0.729].forEach((v, i) => {
      near(t[i][0], v);
    });
  });

  it('momentum 0.9: b₁ = g₁, then b ← 0.9b + g', () => {
    const p = quadraticParam([1]);
    const t = run(new SGD([p], { lr: 0.1, momentum: 0.9 }), p, [1], 3);
    // b = 1 → θ 0.9; b = 0.9 + 0.9 = 1.8 → 0.72; b = 1.62 + 0.72 = 2.34 → 0.486
    [0.9, 0.72, 0.486].forEach((v, i) => {
      near(t[i][0], v);
    });
  });

  it('Nesterov: step along g + 0.9b', () => {
    const p = quadraticParam([1]);
    const t = run(new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }), p, [1], 3);
    // b=1, d=1.9 → 0.81; b=1.71, d=0.81+1.539=2.349 → 0.5751; b=2.1141, d=0.5751+1.90269=2.47779 → 0.327321
    [0.81, 0.5751, 0.327321].forEach((v, i) => {
      near(t[i][0], v);
    });
  });

  it('dampening applies from the second step; weight decay adds λθ to the gradient', () => {
    const p = quadraticParam([1]);
    const t = run(new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 }), p, [1], 2);
    // b = 1 → 0.9; b = 0.9 + 0.5·0.9 = 1.35 → 0.765
    near(t[0][0], 0.9);
    near(t[1][0], 0.765);
    const q = quadraticParam([1]);
    near(run(new SGD([q], { lr: 0.1, weightDecay: 0.1 }), q, [1], 1)[0][0], 0.89);
  });

  it('rejects Nesterov without momentum', () => {
    assert.throws(() => new SGD([quadraticParam([1])], { nesterov: true }), /nesterov: needs momentum > 0/);
  });
});

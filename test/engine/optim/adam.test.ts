import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adam, AdamW } from '../../../src/engine/optim/adam.js';
import { NAdam } from '../../../src/engine/optim/nadam.js';
import { ErrorCodes } from '../../../src/util/errors.js';
import { near, quadraticParam, run } from './_quadratic.js';

/** Adam in the paper's form (m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − γ m̂/(√v̂ + ε)) on f = ½cθ², one coordinate. */
function adamRef(
  theta: number,
  c: number,
  lr: number,
  steps: number,
  wd = 0,
  decoupled = false,
  amsgrad = false,
): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = 0;
  let v = 0;
  let vmax = 0;
  const out: number[] = [];
  for (let t = 1; t <= steps; t++) {
    let g = c * theta;
    if (decoupled) theta -= lr * wd * theta;
    else g += wd * theta;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    vmax = Math.max(vmax, v);
    const mh = m / (1 - b1 ** t);
    const vh = (amsgrad ? vmax : v) / (1 - b2 ** t);
    theta -= (lr * mh) / (Math.sqrt(vh) + eps);
    out.push(theta);
  }
  return out;
}

/** NAdam from the torch.optim.NAdam algorithm box, one coordinate of f = ½cθ². */
function nadamRef(theta: number, c: number, lr: number, steps: number, psi = 0.004): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = 0;
  let v = 0;
  let prod = 1;
  const out: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = c * theta;
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    prod *= mu;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mhat = (muNext * m) / (1 - prod * muNext) + ((1 - mu) * g) / (1 - prod);
    const vhat = v / (1 - b2 ** t);
    theta -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    out.push(theta);
  }
  return out;
}

describe('Adam / AdamW / NAdam', () => {
  it('Adam: the first step moves every coordinate by ≈ lr regardless of curvature', () => {
    const p = quadraticParam([1, -2]);
    const t = run(new Adam([p], { lr: 0.1 }), p, [1, 10], 1);
    // m̂ = g, v̂ = g² → step = lr·g/(|g| + ε)
    near(t[0][0], 1 - 0.1 / (1 + 1e-8));
    near(t[0][1], -2 + 0.1 * (20 / (20 + 1e-8)));
  });

  it('Adam follows the paper formulas over 20 steps (with coupled weight decay and with amsgrad)', () => {
    for (const [wd, ams] of [
      [0, false],
      [0.05, false],
      [0, true],
    ] as const) {
      const p = quadraticParam([1, -2]);
      const t = run(new Adam([p], { lr: 0.1, weightDecay: wd, amsgrad: ams }), p, [1, 10], 20);
      const r0 = adamRef(1, 1, 0.1, 20, wd, false, ams);
      const r1 = adamRef(-2, 10, 0.1, 20, wd, false, ams);
      t.forEach((row, i) => {
        near(row[0], r0[i], 1e-12, `step ${i + 1}`);
        near(row[1], r1[i], 1e-12, `step ${i + 1}`);
      });
    }
  });

  it('AdamW decays θ by (1 − γλ) before the Adam step (decoupled), unlike Adam with weight decay', () => {
    const p = quadraticParam([1]);
    const q = quadraticParam([1]);
    const w = run(new AdamW([p], { lr: 0.1, weightDecay: 0.1 }), p, [1], 1)[0][0];
    const a = run(new Adam([q], { lr: 0.1, weightDecay: 0.1 }), q, [1], 1)[0][0];
    near(w, 0.99 - 0.1 / (1 + 1e-8)); // 1·(1 − 0.01) − 0.1
    near(a, 1 - 0.1 * (1.1 / (1.1 + 1e-8))); // g = 1.1, still a unit step
    const r = quadraticParam([1, -2]);
    const traj = run(new AdamW([r], { lr: 0.05, weightDecay: 0.2 }), r, [1, 10], 15);
    const ref = adamRef(-2, 10, 0.05, 15, 0.2, true);
    traj.forEach((row, i) => {
      near(row[1], ref[i], 1e-12);
    });
    assert.equal(new AdamW([quadraticParam([1])]).weightDecay, 0.01, 'torch default');
  });

  it('NAdam follows the torch algorithm box over 20 steps', () => {
    const p = quadraticParam([1, -2]);
    const t = run(new NAdam([p], { lr: 0.1 }), p, [1, 10], 20);
    const r0 = nadamRef(1, 1, 0.1, 20);
    const r1 = nadamRef(-2, 10, 0.1, 20);
    t.forEach((row, i) => {
      near(row[0], r0[i], 1e-12);
      near(row[1], r1[i], 1e-12);
    });
  });

  it('decoupledWeightDecay is one flag on Adam and NAdam: Adam with it is AdamW, NAdam with it shrinks θ first', () => {
    const p = quadraticParam([1, -2]);
    const q = quadraticParam([1, -2]);
    const a = run(new Adam([p], { lr: 0.05, weightDecay: 0.2, decoupledWeightDecay: true }), p, [1, 10], 15);
    const w = run(new AdamW([q], { lr: 0.05, weightDecay: 0.2 }), q, [1, 10], 15);
    assert.deepEqual(a, w);
    assert.equal(new AdamW([quadraticParam([1])], { decoupledWeightDecay: false }).decoupledWeightDecay, true);
    // one step from θ₀ = 1 with c = 1: the gradient is unchanged, θ is shrunk by γλθ₀ on top of the plain step.
    const r = quadraticParam([1]);
    const dec = run(new NAdam([r], { lr: 0.1, weightDecay: 0.3, decoupledWeightDecay: true }), r, [1], 1);
    const s0 = quadraticParam([1]);
    const plainStep = run(new NAdam([s0], { lr: 0.1 }), s0, [1], 1)[0][0];
    near(dec[0][0], plainStep - 0.1 * 0.3 * 1, 1e-12);
    const nadamState = new NAdam([quadraticParam([1])], { decoupledWeightDecay: true }).stateDict();
    assert.equal(nadamState.options.decoupledWeightDecay, true);
    assert.equal(new Adam([quadraticParam([1])]).stateDict().options.decoupledWeightDecay, false);
  });

  it('state_dict round trip: a restored optimizer continues exactly where the original would', () => {
    for (const make of [
      (ps: ReturnType<typeof quadraticParam>[]) => new Adam(ps, { lr: 0.1, amsgrad: true }),
      (ps: ReturnType<typeof quadraticParam>[]) => new NAdam(ps, { lr: 0.1 }),
    ]) {
      const p = quadraticParam([1, -2]);
      const opt = make([p]);
      run(opt, p, [1, 10], 3);
      const state = opt.stateDict();
      const saved = [...p.data];
      const cont = run(opt, p, [1, 10], 3);
      const q = quadraticParam(saved);
      const opt2 = make([q]);
      opt2.loadStateDict(state);
      assert.deepEqual(run(opt2, q, [1, 10], 3), cont);
    }
  });

  it('loading a state of another kind or size fails with CHECKPOINT_INVALID', () => {
    const p = quadraticParam([1, 2]);
    const s = new Adam([p]).stateDict();
    assert.throws(
      () => new NAdam([p]).loadStateDict({ ...s }),
      (e: Error & { code?: string }) => e.code === ErrorCodes.CHECKPOINT_INVALID,
    );
    const adam = new Adam([p]);
    run(adam, p, [1, 1], 1);
    const bigger = new Adam([quadraticParam([1, 2, 3])]);
    assert.throws(() => bigger.loadStateDict(adam.stateDict()), /has 2 values, expected 3/);
  });
});

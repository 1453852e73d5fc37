import { describe, it } from 'node:test';
import { RMSprop } from '../../../src/engine/optim/rmsprop.js';
import { near, quadraticParam, run } from './_quadratic.js';

/** RMSprop from the torch.optim.RMSprop algorithm box, one coordinate of f = ½cθ². */
function rmsRef(
  theta: number,
  c: number,
  steps: number,
  o: { lr: number; mom: number; centered: boolean; wd: number },
) {
  const [alpha, eps] = [0.99, 1e-8];
  let v = 0;
  let gAvg = 0;
  let b = 0;
  const out: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = c * theta + o.wd * theta;
    v = alpha * v + (1 - alpha) * g * g;
    let vt = v;
    if (o.centered) {
      gAvg = gAvg * alpha + (1 - alpha) * g;
      vt = vt - gAvg * gAvg;
    }
    if (o.mom > 0) {
      b = o.mom * b + g / (Math.sqrt(vt) + eps);
      theta -= o.lr * b;
    } else theta -= (o.lr * g) / (Math.sqrt(vt) + eps);
    out.push(theta);
  }
  return out;
}

describe('RMSprop', () => {
  it('first step by hand: v = 0.01g², so θ moves by lr·g/(0.1|g| + ε)', () => {
    const p = quadraticParam([1]);
    near(run(new RMSprop([p], { lr: 0.01 }), p, [1], 1)[0][0], 1 - 0.01 / (0.1 + 1e-8));
    const q = quadraticParam([1]);
    // centered: ḡ = 0.01, ṽ = 0.01 − 0.0001 = 0.0099
    near(run(new RMSprop([q], { lr: 0.01, centered: true }), q, [1], 1)[0][0], 1 - 0.01 / (Math.sqrt(0.0099) + 1e-8));
  });

  it('matches the algorithm over 25 steps for plain, centered, momentum and weight decay', () => {
    for (const o of [
      { lr: 0.01, mom: 0, centered: false, wd: 0 },
      { lr: 0.01, mom: 0, centered: true, wd: 0 },
      { lr: 0.005, mom: 0.9, centered: false, wd: 0.1 },
      { lr: 0.005, mom: 0.5, centered: true, wd: 0 },
    ]) {
      const p = quadraticParam([1, -2]);
      const opt = new RMSprop([p], { lr: o.lr, momentum: o.mom, centered: o.centered, weightDecay: o.wd });
      const t = run(opt, p, [1, 10], 25);
      const r0 = rmsRef(1, 1, 25, o);
      const r1 = rmsRef(-2, 10, 25, o);
      t.forEach((row, i) => {
        near(row[0], r0[i], 1e-12, JSON.stringify(o));
        near(row[1], r1[i], 1e-12, JSON.stringify(o));
      });
    }
  });
});

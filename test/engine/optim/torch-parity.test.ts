/**
 * Parity with torch.optim: 25-step trajectories on f(θ) = ½ Σ cθ² (c = [1, 10], θ₀ = [1, −2], float64) recorded from
 * PyTorch 1.13.1 (Debian python3-torch) by fixtures/torch_optim.py into fixtures/torch_optim.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type AnyOptimizerOptions, createOptimizer } from '../../../src/engine/optim/index.js';
import type { OptimizerKind } from '../../../src/engine/optim/optimizer.js';
import { quadraticParam, run } from './_quadratic.js';

interface Case {
  kind: OptimizerKind;
  options: Record<string, number | boolean | number[]>;
  trajectory: number[][];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch_optim.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

/** torch's keyword names → ours. */
function options(o: Case['options']): AnyOptimizerOptions {
  const out: AnyOptimizerOptions = {};
  const names: Record<string, keyof AnyOptimizerOptions> = {
    lr: 'lr',
    momentum: 'momentum',
    dampening: 'dampening',
    nesterov: 'nesterov',
    weight_decay: 'weightDecay',
    eps: 'eps',
    amsgrad: 'amsgrad',
    alpha: 'alpha',
    centered: 'centered',
    momentum_decay: 'momentumDecay',
    betas: 'betas',
  };
  for (const [k, v] of Object.entries(o)) {
    const name = names[k];
    assert.ok(name, `unmapped torch option ${k}`);
    (out as Record<string, unknown>)[name] = v;
  }
  return out;
}

describe('optimizers match torch.optim trajectories', () => {
  for (const c of fixture.cases) {
    it(`${c.kind} ${JSON.stringify(c.options)}`, () => {
      const p = quadraticParam([1, -2]);
      const got = run(createOptimizer(c.kind, [p], options(c.options)), p, [1, 10], c.trajectory.length);
      c.trajectory.forEach((want, step) => {
        for (let k = 0; k < 2; k++) {
          const tol = 1e-13 + 1e-11 * Math.abs(want[k]);
          assert.ok(
            Math.abs(got[step][k] - want[k]) <= tol,
            `step ${step + 1} θ[${k}]: ${got[step][k]} vs torch ${want[k]}`,
          );
        }
      });
    });
  }
});

/**
 * A separable quadratic f(θ) = ½ Σ cₖ θₖ² (gradient cₖθₖ) for optimizer tests: its gradients are known exactly, so
 * each step can be reproduced by hand from the update formulas.
 */
import type { Optimizer } from '../../../src/engine/optim/optimizer.js';
import type { Tensor } from '../../../src/engine/tensor.js';
import { f64Tape } from '../_setup.js';

export function quadraticParam(init: number[]): Tensor {
  return f64Tape().tensor(init, [init.length], { requiresGrad: true });
}

/** Runs `steps` optimizer steps on the quadratic and returns θ after each. */
export function run(opt: Optimizer, p: Tensor, curv: number[], steps: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    if (p.grad === null) p.grad = p.tape.backend.alloc(p.size);
    for (let k = 0; k < p.size; k++) p.grad[k] = curv[k] * p.data[k];
    opt.step();
    out.push([...p.data]);
  }
  return out;
}

export function near(actual: number, expected: number, tol = 1e-12, msg = ''): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${msg} expected ${expected}, got ${actual}`);
}

/**
 * Finite-difference gradient check for any composition of ops. The output is reduced to a scalar with fixed random
 * weights w (L = Σ w ⊙ f(inputs)), so one backward pass checks the full vector–Jacobian product. Each input element
 * is perturbed by ±eps and the central difference (L⁺ − L⁻)/(2·eps) compared with the analytic gradient.
 * Use a float64 backend: in float32 the differences are dominated by rounding.
 */
import type { FArray } from './backend/types.js';
import { Rng } from './rng.js';
import type { Tape } from './tape.js';
import type { Tensor } from './tensor.js';

export interface GradcheckOptions {
  eps?: number;
  /** Pass when |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults 1e-6 and 1e-5. */
  atol?: number;
  rtol?: number;
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Elements compared. */
  checked: number;
  maxAbsErr: number;
  /** The worst element (largest error relative to its tolerance). */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * `fn` must build its output from `inputs` (persistent tensors with requiresGrad) deterministically: re-seed any
 * Rng inside fn. The tape is reset between evaluations; inputs' grads are cleared before and after.
 */
export function gradcheck(
  tape: Tape,
  fn: () => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const rng = new Rng(opts.seed ?? 12345);
  for (const x of inputs) clearGrad(x);

  tape.reset();
  const out = fn();
  const w = new Float64Array(out.size);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-1, 1);
  tape.backward(out, w);
  const analytic: Float64Array[] = inputs.map((x) => (x.grad ? Float64Array.from(x.grad) : new Float64Array(x.size)));
  tape.reset();
  for (const x of inputs) clearGrad(x);

  const objective = (): number => {
    const y = tape.noGrad(fn);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * y.data[i];
    tape.reset();
    return s;
  };

  let maxAbsErr = 0;
  let worstRatio = -1;
  let worst: GradcheckResult['worst'] = null;
  let checked = 0;
  let ok = true;
  inputs.forEach((x, xi) => {
    const d: FArray = x.data;
    for (let k = 0; k < d.length; k++) {
      const v = d[k];
      d[k] = v + eps;
      const up = objective();
      d[k] = v - eps;
      const down = objective();
      d[k] = v;
      const numeric = (up - down) / (2 * eps);
      const a = analytic[xi][k];
      const err = Math.abs(a - numeric);
      const tol = atol + rtol * Math.abs(numeric);
      checked++;
      if (err > maxAbsErr) maxAbsErr = err;
      if (err / tol > worstRatio) {
        worstRatio = err / tol;
        worst = { input: xi, index: k, analytic: a, numeric };
      }
      if (!(err <= tol)) ok = false;
    }
  });
  return { ok, checked, maxAbsErr, worst };
}

function clearGrad(x: Tensor): void {
  if (x.grad) {
    x.tape.backend.free(x.grad);
    x.grad = null;
  }
  x.gradFresh = false;
}

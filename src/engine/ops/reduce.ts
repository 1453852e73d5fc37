/** Full reductions to a scalar (shape []) and the L2 penalty. */
import { argError } from '../check.js';
import type { Tensor } from '../tensor.js';

/** Σ x. */
export function sum(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.result([], x);
  const v = x.data;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  out.data[0] = s;
  if (out.requiresGrad) tape.record(out, (g) => tape.gradInto(x, (buf) => addConst(buf, g[0])));
  return out;
}

/** Σ x / size. */
export function mean(x: Tensor): Tensor {
  if (x.size === 0) argError('mean x', 'is empty; the mean of nothing is undefined');
  const tape = x.tape;
  const out = tape.result([], x);
  const v = x.data;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  out.data[0] = s / x.size;
  if (out.requiresGrad) tape.record(out, (g) => tape.gradInto(x, (buf) => addConst(buf, g[0] / x.size)));
  return out;
}

/**
 * L2 penalty (λ/2) Σ_p ‖p‖² over the given tensors, a scalar. Its gradient λ·p equals what an optimizer's coupled
 * `weightDecay: λ` adds, so `loss + l2Penalty(params, λ)` with weightDecay 0 trains the same as weightDecay λ.
 */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (params.length === 0) argError('l2Penalty params', 'is empty');
  const tape = params[0].tape;
  const out = tape.resultOf([], params);
  let s = 0;
  for (const p of params) {
    const v = p.data;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  }
  out.data[0] = 0.5 * lambda * s;
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      for (const p of params)
        if (p.requiresGrad) tape.gradInto(p, (buf) => tape.backend.axpy(lambda * g[0], p.data, buf));
    });
  }
  return out;
}

function addConst(buf: Float32Array | Float64Array, c: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] += c;
}

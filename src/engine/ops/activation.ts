/** Activations. relu uses the backend kernels (it sits on the hidden layer of every model); the others are loops. */
import type { Tensor } from '../tensor.js';

/** max(x, 0); backward passes the gradient where the output is positive. */
export function relu(x: Tensor): Tensor {
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result(x.shape, x);
  be.relu(x.data, out.data);
  if (out.requiresGrad) tape.record(out, (g) => tape.gradViaTemp(x, (buf) => be.reluBackward(out.data, g, buf)));
  return out;
}

/** x if x > 0 else slope·x (default slope 0.01, as torch). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  const tape = x.tape;
  const out = tape.result(x.shape, x);
  const o = out.data;
  const v = x.data;
  for (let i = 0; i < o.length; i++) o[i] = v[i] > 0 ? v[i] : slope * v[i];
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let i = 0; i < g.length; i++) buf[i] += v[i] > 0 ? g[i] : slope * g[i];
      }),
    );
  }
  return out;
}

/** x if x > 0 else α(eˣ − 1) (default α = 1). Backward uses dy/dx = y + α for x ≤ 0. */
export function elu(x: Tensor, alpha = 1): Tensor {
  const tape = x.tape;
  const out = tape.result(x.shape, x);
  const o = out.data;
  const v = x.data;
  for (let i = 0; i < o.length; i++) o[i] = v[i] > 0 ? v[i] : alpha * Math.expm1(v[i]);
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let i = 0; i < g.length; i++) buf[i] += v[i] > 0 ? g[i] : g[i] * (o[i] + alpha);
      }),
    );
  }
  return out;
}

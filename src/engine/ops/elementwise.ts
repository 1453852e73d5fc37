/** Elementwise arithmetic: add, sub, mul, scale, bias add. Small ops are plain loops; sums go through axpy. */
import { argError, dims2, sameShape } from '../check.js';
import type { Tensor } from '../tensor.js';

/** a + b (same shape). */
export function add(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a.shape, b.shape);
  const tape = a.tape;
  const be = tape.backend;
  const out = tape.result(a.shape, a, b);
  const o = out.data;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (b.requiresGrad) tape.gradInto(b, (buf) => be.axpy(1, g, buf));
      if (a.requiresGrad) tape.passGrad(a, out, g);
    });
  }
  return out;
}

/** a − b (same shape). */
export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape('sub', a.shape, b.shape);
  const tape = a.tape;
  const be = tape.backend;
  const out = tape.result(a.shape, a, b);
  const o = out.data;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (a.requiresGrad) tape.gradInto(a, (buf) => be.axpy(1, g, buf));
      if (b.requiresGrad) tape.gradInto(b, (buf) => be.axpy(-1, g, buf));
    });
  }
  return out;
}

/** a ⊙ b (same shape). */
export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a.shape, b.shape);
  const tape = a.tape;
  const out = tape.result(a.shape, a, b);
  const o = out.data;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (a.requiresGrad) {
        tape.gradInto(a, (buf) => {
          for (let i = 0; i < g.length; i++) buf[i] += g[i] * y[i];
        });
      }
      if (b.requiresGrad) {
        tape.gradInto(b, (buf) => {
          for (let i = 0; i < g.length; i++) buf[i] += g[i] * x[i];
        });
      }
    });
  }
  return out;
}

/** s · x for a constant s. */
export function scale(x: Tensor, s: number): Tensor {
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result(x.shape, x);
  const o = out.data;
  const v = x.data;
  for (let i = 0; i < o.length; i++) o[i] = s * v[i];
  if (out.requiresGrad) tape.record(out, (g) => tape.gradInto(x, (buf) => be.axpy(s, g, buf)));
  return out;
}

/**
 * x + bias broadcast over rows: x is rows × cols, bias has cols entries (shape [cols] or [1, cols]).
 * Backward: dx = g, dbias = column sums of g (`Backend.colSum`).
 */
export function addBias(x: Tensor, bias: Tensor): Tensor {
  const [rows, cols] = dims2('addBias x', x.shape);
  if (bias.size !== cols) argError('addBias bias', `has ${bias.size} entries, x has ${cols} columns`, { cols });
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result(x.shape, x, bias);
  be.addBias(x.data, bias.data, rows, cols, out.data);
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (bias.requiresGrad) tape.gradViaTemp(bias, (buf) => be.colSum(g, rows, cols, buf));
      if (x.requiresGrad) tape.passGrad(x, out, g);
    });
  }
  return out;
}

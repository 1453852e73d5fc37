/**
 * Sparse × dense product with a precomputed operator (adjacency.ts): out = A·x through `Backend.spmm`.
 * Backward: dx = Aᵀ·dout, a second SpMM with the stored transpose (never a scatter through a gather).
 */
import type { SparseAdjacency } from '../adjacency.js';
import { argError, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';

export function spmm(adj: SparseAdjacency, x: Tensor): Tensor {
  const [rows, f] = dims2('spmm x', x.shape);
  if (rows !== adj.a.cols) argError('spmm x', `has ${rows} rows, the operator has ${adj.a.cols} columns`);
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result([adj.a.rows, f], x);
  be.spmm(adj.a, x.data, f, out.data, 0);
  if (out.requiresGrad) tape.record(out, (g) => tape.gradInto(x, (buf, beta) => be.spmm(adj.t, g, f, buf, beta)));
  return out;
}

/**
 * Dense matrix products through `Backend.gemm`.
 *
 * C = op(A)·op(B) with op(A) m×k, op(B) k×n. Writing A' = op(A), B' = op(B):
 *   dA' = dC·B'ᵀ and dB' = A'ᵀ·dC; when A (B) is stored transposed its gradient is the transpose of that.
 */
import { argError, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';
import { addBias } from './elementwise.js';

export interface MatmulOptions {
  /** A is stored k×m and used transposed. */
  transA?: boolean;
  /** B is stored n×k and used transposed. */
  transB?: boolean;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const [ar, ac] = dims2('matmul a', a.shape);
  const [br, bc] = dims2('matmul b', b.shape);
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb)
    argError('matmul', `inner dimensions differ: a gives ${k}, b gives ${kb}`, { a: [ar, ac], b: [br, bc] });
  const tape = a.tape;
  const be = tape.backend;
  const out = tape.result([m, n], a, b);
  be.gemm(transA, transB, m, n, k, a.data, b.data, out.data, 1, 0);
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (a.requiresGrad) {
        tape.gradInto(a, (buf, beta) => {
          if (transA) be.gemm(transB, true, k, m, n, b.data, g, buf, 1, beta);
          else be.gemm(false, !transB, m, k, n, g, b.data, buf, 1, beta);
        });
      }
      if (b.requiresGrad) {
        tape.gradInto(b, (buf, beta) => {
          if (transB) be.gemm(true, transA, n, k, m, g, a.data, buf, 1, beta);
          else be.gemm(!transA, false, k, n, m, a.data, g, buf, 1, beta);
        });
      }
    });
  }
  return out;
}

/** x·W (+ b): x is rows × in, W is in × out, b has out entries. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const y = matmul(x, w);
  return b ? addBias(y, b) : y;
}

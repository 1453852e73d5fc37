/**
 * Edge-wise ops for graph attention (GAT, Veličković et al. 2018). Edges follow an `AttentionGraph`: edge e in row i
 * goes from source j = indices[e] to target i; edge arrays are E × H (edge-major).
 *
 *   s  = headDot(x, a_src), t = headDot(x, a_dst)       per-node terms, N × H
 *   e  = edgeScore(g, s, t, slope)                      e[e,h] = LeakyReLU(s[j,h] + t[i,h])
 *   α  = edgeSoftmax(g, e)                              softmax over each target's incoming edges, per head
 *   y  = edgeAggregate(g, α, x, H)                      y[i,h,:] = Σ_e α[e,h] · x[j,h,:]
 */
import type { AttentionGraph } from '../adjacency.js';
import { argError, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';

/**
 * Per-head dot products: x is N × (H·F), a has H·F entries (shape [H, F] or [1, H·F]); out[n, h] = Σ_f x[n,h,f]·a[h,f].
 */
export function headDot(x: Tensor, a: Tensor, heads: number): Tensor {
  const [n, w] = dims2('headDot x', x.shape);
  if (a.size !== w) argError('headDot a', `has ${a.size} entries, x has ${w} columns`, { cols: w });
  if (!(heads >= 1) || w % heads !== 0) argError('headDot heads', `${heads} does not divide ${w} columns`);
  const f = w / heads;
  const tape = x.tape;
  const out = tape.result([n, heads], x, a);
  const o = out.data;
  const xv = x.data;
  const av = a.data;
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < heads; h++) {
      let s = 0;
      const xi = i * w + h * f;
      for (let k = 0; k < f; k++) s += xv[xi + k] * av[h * f + k];
      o[i * heads + h] = s;
    }
  }
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (x.requiresGrad) {
        tape.gradInto(x, (buf) => {
          for (let i = 0; i < n; i++) {
            for (let h = 0; h < heads; h++) {
              const gh = g[i * heads + h];
              const xi = i * w + h * f;
              for (let k = 0; k < f; k++) buf[xi + k] += gh * av[h * f + k];
            }
          }
        });
      }
      if (a.requiresGrad) {
        tape.gradInto(a, (buf) => {
          for (let i = 0; i < n; i++) {
            for (let h = 0; h < heads; h++) {
              const gh = g[i * heads + h];
              const xi = i * w + h * f;
              for (let k = 0; k < f; k++) buf[h * f + k] += gh * xv[xi + k];
            }
          }
        });
      }
    });
  }
  return out;
}

/**
 * e[e,h] = LeakyReLU(src[j,h] + dst[i,h], slope) for every edge (kernel `edgeScore`). src is cols × H, dst rows × H.
 * Backward (kernel edgeScoreBackward): with d = dout ⊙ LeakyReLU'(pre), ddst[i] += Σ_{row i} d and
 * dsrc[j] += Σ_{edges from j} d, the latter a gather over the transposed CSR.
 */
export function edgeScore(g: AttentionGraph, src: Tensor, dst: Tensor, slope = 0.2): Tensor {
  const [ns, heads] = dims2('edgeScore src', src.shape);
  const [nd, hd] = dims2('edgeScore dst', dst.shape);
  if (ns !== g.cols || nd !== g.rows || hd !== heads) {
    argError('edgeScore', `src ${ns}×${heads} / dst ${nd}×${hd} do not fit a ${g.rows}×${g.cols} graph`);
  }
  const nnz = g.indptr[g.rows];
  const tape = src.tape;
  const out = tape.result([nnz, heads], src, dst);
  const be = tape.backend;
  be.edgeScore(g.indptr, g.indices, src.data, dst.data, heads, slope, out.data);
  if (out.requiresGrad) {
    tape.record(out, (gr) => {
      const bs = src.requiresGrad ? tape.gradBeta(src) : 0;
      const bd = dst.requiresGrad ? tape.gradBeta(dst) : 0;
      const gs = src.requiresGrad ? src.grad : null;
      const gd = dst.requiresGrad ? dst.grad : null;
      const { indptr, indices, indptrT, indicesT, perm } = g;
      const backward = (gSrc: typeof gs, gDst: typeof gd, beta: number) =>
        be.edgeScoreBackward(
          indptr,
          indices,
          indptrT,
          indicesT,
          perm,
          src.data,
          dst.data,
          heads,
          slope,
          gr,
          gSrc,
          gDst,
          beta,
        );
      // The kernel writes both gradients with one beta (overwrite or accumulate): split the call when they differ.
      if (gs === null || gd === null || bs === bd) backward(gs, gd, bs | bd);
      else {
        backward(gs, null, bs);
        backward(null, gd, bd);
      }
    });
  }
  return out;
}

/** Softmax of scores (E × H) over each target's incoming edges, per head (kernels edgeSoftmax / its backward). */
export function edgeSoftmax(g: AttentionGraph, scores: Tensor): Tensor {
  const [nnz, heads] = dims2('edgeSoftmax scores', scores.shape);
  if (nnz !== g.indptr[g.rows])
    argError('edgeSoftmax scores', `has ${nnz} rows, the graph has ${g.indptr[g.rows]} edges`);
  const tape = scores.tape;
  const be = tape.backend;
  const out = tape.result([nnz, heads], scores);
  be.edgeSoftmax(g.indptr, scores.data, heads, out.data);
  if (out.requiresGrad) {
    tape.record(out, (gr) =>
      tape.gradViaTemp(scores, (buf) => be.edgeSoftmaxBackward(g.indptr, out.data, gr, heads, buf)),
    );
  }
  return out;
}

/**
 * y[i,h,:] = Σ_{e in row i} α[e,h] · x[j,h,:], x of shape cols × (H·F), y rows × (H·F) (kernel edgeAggregate).
 * Backward: dα via edgeAggregateGradAlpha; dx via edgeAggregateGradX on the transposed CSR + perm.
 */
export function edgeAggregate(g: AttentionGraph, alpha: Tensor, x: Tensor, heads: number): Tensor {
  const [nnz, ha] = dims2('edgeAggregate alpha', alpha.shape);
  const [nx, w] = dims2('edgeAggregate x', x.shape);
  if (ha !== heads || nnz !== g.indptr[g.rows]) {
    argError('edgeAggregate alpha', `shape [${alpha.shape}] does not match ${g.indptr[g.rows]} edges × ${heads} heads`);
  }
  if (nx !== g.cols || w % heads !== 0)
    argError('edgeAggregate x', `shape [${x.shape}] does not fit ${g.cols} nodes × ${heads} heads`);
  const f = w / heads;
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result([g.rows, w], alpha, x);
  be.edgeAggregate(g.indptr, g.indices, alpha.data, x.data, heads, f, out.data);
  if (out.requiresGrad) {
    tape.record(out, (gr) => {
      if (alpha.requiresGrad) {
        tape.gradViaTemp(alpha, (buf) => be.edgeAggregateGradAlpha(g.indptr, g.indices, gr, x.data, heads, f, buf));
      }
      if (x.requiresGrad) {
        tape.gradViaTemp(x, (buf) =>
          be.edgeAggregateGradX(g.indptrT, g.indicesT, g.perm, alpha.data, gr, heads, f, buf),
        );
      }
    });
  }
  return out;
}

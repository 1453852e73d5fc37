/**
 * Message passing with a per-edge mask (ForwardContext.edgeMask), the hook explanations use: the operator's own
 * value on each edge is multiplied by the mask before aggregation, out_i = Σ_e mask_e · w_e · x_src(e), so the
 * normalisation stays that of the unmasked graph (as PyG applies an explainer's edge mask to the messages).
 * The edges are those of `graph.attention`, which has the same rows as Â (both add one self-loop per node), so
 * Â's values line up with the mask entry for entry. GAT and MLP layers do not take a mask.
 */
import {
  type AttentionGraph,
  edgeAggregate,
  type FArray,
  mul,
  type SparseAdjacency,
  sliceRows,
  spmm,
  type Tensor,
} from '../../engine/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { ForwardContext } from '../module.js';

/** Â·x, or with a mask Σ_e mask_e · Â_e · x_src(e) over graph.attention's edges. */
export function propagateGcn(x: Tensor, ctx: ForwardContext): Tensor {
  const adj = ctx.graph.gcn;
  return ctx.edgeMask ? masked(ctx.graph.attention, ctx.edgeMask, adj.a.values as FArray, x) : spmm(adj, x);
}

/** Mean over neighbours, or with a mask Σ_{j≠i} mask_e · x_j / deg(i) (self-loops carry weight 0). */
export function propagateMean(x: Tensor, ctx: ForwardContext): Tensor {
  const adj: SparseAdjacency = ctx.graph.mean;
  if (!ctx.edgeMask) return spmm(adj, x);
  const g = ctx.graph.attention;
  const w = new Float64Array(g.indices.length);
  for (let i = 0; i < g.rows; i++) {
    const deg = g.indptr[i + 1] - g.indptr[i] - 1; // one self-loop per row
    for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) w[e] = g.indices[e] === i || deg === 0 ? 0 : 1 / deg;
  }
  return masked(g, ctx.edgeMask, w, x);
}

/** The rows of x that are the layer's dst nodes: all of them on a whole graph, the leading numDst on a block. */
export function dstRows(x: Tensor, ctx: ForwardContext): Tensor {
  const n = ctx.graph.numDst;
  return x.rows === n ? x : sliceRows(x, n);
}

/** The error of a layer that cannot weight its messages. */
export function rejectEdgeMask(ctx: ForwardContext, layer: string): void {
  if (ctx.edgeMask) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${layer} layers do not take per-edge weights; edge explanations support gcn, appnp and sage models`,
      { field: 'model' },
    );
  }
}

function masked(g: AttentionGraph, mask: Tensor, values: ArrayLike<number>, x: Tensor): Tensor {
  const e = g.indices.length;
  if (mask.size !== e)
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `edgeMask has ${mask.size} entries, the graph has ${e} edges`);
  const w = x.tape.result([e, 1]);
  for (let k = 0; k < e; k++) w.data[k] = values[k];
  return edgeAggregate(g, mul(mask, w), x, 1);
}

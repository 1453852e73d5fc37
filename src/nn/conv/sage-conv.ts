/**
 * SAGEConv with the mean aggregator (Hamilton et al., NeurIPS 2017, https://arxiv.org/abs/1706.02216), as PyG's
 * SAGEConv(aggr='mean', root_weight=True):
 *   x'_i = W_l · mean_{j ∈ N(i)} x_j + W_r · x_i + b
 * Nodes without neighbours aggregate zeros. W_l, W_r, b ~ U(−1/√in, 1/√in) (torch Linear); b belongs to the
 * neighbour term, as in PyG (lin_r has no bias). Shapes: x N × in, W_l and W_r in × out, x' N × out.
 * On a sampled block the root term reads the dst rows (the leading numDst rows of x).
 * The aggregation and the transform run in the cheaper order (equal by linearity): on a whole graph mean(x)·W_l when
 * in ≤ out, mean(x·W_l) otherwise; on a block, counting its src rows, dst rows and edges (aggregateFirst).
 */
import { add, addBias, linearInit, matmul, type Rng, type Tape, type Tensor } from '../../engine/index.js';
import { type ForwardContext, Module } from '../module.js';
import { dstRows, propagateMean } from './edge-mask.js';

export class SAGEConv extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightNeighbor: Tensor;
  readonly weightRoot: Tensor;
  readonly bias: Tensor;

  constructor(tape: Tape, rng: Rng, inFeatures: number, outFeatures: number) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const init = linearInit(rng, inFeatures);
    this.weightNeighbor = this.addParam('lin_l.weight', tape.param([inFeatures, outFeatures], init));
    this.bias = this.addParam('lin_l.bias', tape.param([outFeatures], init));
    this.weightRoot = this.addParam('lin_r.weight', tape.param([inFeatures, outFeatures], init));
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const neigh = this.aggregateFirst(x, ctx)
      ? matmul(propagateMean(x, ctx), this.weightNeighbor)
      : propagateMean(matmul(x, this.weightNeighbor), ctx);
    return addBias(add(neigh, matmul(dstRows(x, ctx), this.weightRoot)), this.bias);
  }

  /**
   * Whether mean(x)·W_l costs fewer multiply-adds than mean(x·W_l): in·(nnz + dst·out) against out·(src·in + nnz).
   * On a whole graph (src = dst) that is in ≤ out; on a sampled block or an inference chunk the src rows far
   * outnumber the dst rows, and transforming every src row first would cost up to src/dst times more.
   */
  private aggregateFirst(x: Tensor, ctx: ForwardContext): boolean {
    const fin = this.inFeatures;
    const fout = this.outFeatures;
    const dst = ctx.graph.numDst;
    const src = x.rows;
    if (src === dst) return fin <= fout;
    const nnz = ctx.graph.mean.a.indptr[dst];
    return fin * (nnz + dst * fout) <= fout * (src * fin + nnz);
  }
}

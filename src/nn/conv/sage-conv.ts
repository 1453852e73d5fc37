/**
 * SAGEConv with the mean aggregator (Hamilton et al., NeurIPS 2017, https://arxiv.org/abs/1706.02216), as PyG's
 * SAGEConv(aggr='mean', root_weight=True):
 *   x'_i = W_l · mean_{j ∈ N(i)} x_j + W_r · x_i + b
 * Nodes without neighbours aggregate zeros. W_l, W_r, b ~ U(−1/√in, 1/√in) (torch Linear); b belongs to the
 * neighbour term, as in PyG (lin_r has no bias). Shapes: x N × in, W_l and W_r in × out, x' N × out.
 * On a sampled block the root term reads the dst rows (the leading numDst rows of x).
 * The aggregation runs on the narrower side: mean(x)·W_l when in ≤ out, mean(x·W_l) otherwise (equal by linearity).
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
    const neigh =
      this.inFeatures <= this.outFeatures
        ? matmul(propagateMean(x, ctx), this.weightNeighbor)
        : propagateMean(matmul(x, this.weightNeighbor), ctx);
    return addBias(add(neigh, matmul(dstRows(x, ctx), this.weightRoot)), this.bias);
  }
}

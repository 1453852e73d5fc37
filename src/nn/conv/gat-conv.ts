/**
 * GATConv (Veličković et al., ICLR 2018, https://arxiv.org/abs/1710.10903), as PyG's GATConv with
 * add_self_loops=True, negative_slope=0.2:
 *   h = x · W                                   (N × H·F, head h in columns [h·F, (h+1)·F))
 *   e_ij = LeakyReLU(a_srcᵀ h_j + a_dstᵀ h_i)    for every edge j → i, self-loops included
 *   α_ij = softmax_j(e_ij) over i's incoming edges, then dropout(α, attentionDropout) in training
 *   x'_i = ‖_h Σ_j α_ij^h h_j^h + b  (concat, N × H·F)   or   mean_h (…) + b  (N × F)
 * On a sampled block, sources are its src nodes and targets its dst nodes (the leading rows of x).
 * Defaults: concat true, attentionDropout 0. W, a_src, a_dst Glorot-uniform; b zeros.
 */
import {
  addBias,
  dropout,
  edgeAggregate,
  edgeScore,
  edgeSoftmax,
  glorotInit,
  headDot,
  headMean,
  matmul,
  type Rng,
  type Tape,
  type Tensor,
} from '../../engine/index.js';
import { type ForwardContext, Module } from '../module.js';
import { dstRows, rejectEdgeMask } from './edge-mask.js';

export interface GatConvOptions {
  heads: number;
  concat?: boolean;
  attentionDropout?: number;
  negativeSlope?: number;
}

export class GATConv extends Module {
  readonly inFeatures: number;
  /** F: channels per head. */
  readonly outFeatures: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly attentionDropout: number;
  readonly negativeSlope: number;
  readonly weight: Tensor;
  readonly attSrc: Tensor;
  readonly attDst: Tensor;
  readonly bias: Tensor;

  constructor(tape: Tape, rng: Rng, inFeatures: number, outFeatures: number, opts: GatConvOptions) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.heads = opts.heads;
    this.concat = opts.concat ?? true;
    this.attentionDropout = opts.attentionDropout ?? 0;
    this.negativeSlope = opts.negativeSlope ?? 0.2;
    const hf = this.heads * outFeatures;
    this.weight = this.addParam('lin.weight', tape.param([inFeatures, hf], glorotInit(rng)));
    // PyG draws the attention vectors as [1, H, F] tensors: Glorot over fan_in = H, fan_out = F.
    this.attSrc = this.addParam('att_src', tape.param([this.heads, outFeatures], glorotInit(rng)));
    this.attDst = this.addParam('att_dst', tape.param([this.heads, outFeatures], glorotInit(rng)));
    this.bias = this.addParam('bias', tape.param([this.concat ? hf : outFeatures]));
  }

  /** Output width: H·F when concatenating heads, F when averaging them. */
  get outWidth(): number {
    return this.concat ? this.heads * this.outFeatures : this.outFeatures;
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    rejectEdgeMask(ctx, 'GAT');
    const g = ctx.graph.attention;
    const h = matmul(x, this.weight);
    const src = headDot(h, this.attSrc, this.heads);
    const dst = dstRows(headDot(h, this.attDst, this.heads), ctx);
    let alpha = edgeSoftmax(g, edgeScore(g, src, dst, this.negativeSlope));
    alpha = dropout(alpha, this.attentionDropout, ctx.training, ctx.rng);
    let out = edgeAggregate(g, alpha, h, this.heads);
    if (!this.concat && this.heads > 1) out = headMean(out, this.heads);
    return addBias(out, this.bias);
  }
}

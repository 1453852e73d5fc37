/**
 * The shared body of every model: L layers with, between them, optional LayerNorm → activation → optional residual
 * → dropout, and dropout on the input. The last layer's output is the logits (no activation, no norm).
 *
 *   h⁰ = dropout(x, input_dropout)
 *   hˡ⁺¹ = dropout(act(norm(layerₗ(hˡ))) [+ hˡ when residual and widths match], dropout)   for l < L − 1
 *   logits = layer_{L−1}(h^{L−1})
 *
 * `forward` also returns the last hidden representation h^{L−1} (the embedding `gnnops visualize` projects).
 */
import { add, type Tape, type Tensor } from '../../engine/index.js';
import { type ActivationName, activation } from '../activation.js';
import { dstRows } from '../conv/edge-mask.js';
import { LayerNorm } from '../layer-norm.js';
import { type ForwardContext, Module } from '../module.js';
import { dropoutOp } from './dropout.js';

export interface Layer extends Module {
  forward(x: Tensor, ctx: ForwardContext): Tensor;
}

export interface StackOptions {
  dropout: number;
  inputDropout: number;
  activation: ActivationName;
  residual: boolean;
  layerNorm: boolean;
}

export interface StackOutput {
  out: Tensor;
  /** Input of the last layer (N × hidden width); valid until the tape is reset. */
  hidden: Tensor;
}

export class LayerStack extends Module {
  readonly layers: Layer[];
  readonly norms: (LayerNorm | null)[];
  readonly widths: number[];
  readonly inWidth: number;
  readonly opts: StackOptions;
  readonly #act: (x: Tensor) => Tensor;

  /** widths[l] is layer l's output width; inWidth the input width (for residual width checks). */
  constructor(tape: Tape, layers: Layer[], inWidth: number, widths: number[], opts: StackOptions) {
    super();
    this.layers = layers;
    this.widths = widths;
    this.inWidth = inWidth;
    this.opts = opts;
    this.#act = activation(opts.activation);
    for (const [i, l] of layers.entries()) this.addChild(`layers.${i}`, l);
    this.norms = layers.map((_, i) =>
      opts.layerNorm && i < layers.length - 1 ? this.addChild(`norms.${i}`, new LayerNorm(tape, widths[i])) : null,
    );
  }

  forward(x: Tensor, ctx: ForwardContext): StackOutput {
    let h = dropoutOp(x, this.opts.inputDropout, ctx);
    const last = this.layers.length - 1;
    for (let l = 0; l < last; l++) h = this.applyLayer(l, h, ctx);
    return { out: this.applyLayer(last, h, ctx), hidden: h };
  }

  /**
   * Layer l with what follows it: norm → activation → residual → dropout for a hidden layer, nothing for the last.
   * In a mini-batch it runs on ctx.blocks[l] and returns that block's dst rows. Layer-wise inference calls it layer
   * by layer on chunks of nodes (nn/layerwise.ts).
   */
  applyLayer(l: number, h: Tensor, ctx: ForwardContext): Tensor {
    const c = ctx.blocks ? { ...ctx, graph: ctx.blocks[l] } : ctx;
    // Layers without message passing (Linear) keep every input row; a block wants its dst rows only.
    let y = dstRows(this.layers[l].forward(h, c), c);
    if (l === this.layers.length - 1) return y;
    const norm = this.norms[l];
    if (norm) y = norm.forward(y);
    y = this.#act(y);
    const inWidth = l === 0 ? this.inWidth : this.widths[l - 1];
    if (this.opts.residual && inWidth === this.widths[l] && l > 0) y = add(y, dstRows(h, c));
    return dropoutOp(y, this.opts.dropout, c);
  }
}

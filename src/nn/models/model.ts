/**
 * A node-classification model: a layer stack, optionally followed by a weightless propagation (APPNP). Built from
 * the `model` config section by `buildModel` (build.ts); the per-architecture files choose the layers.
 *
 * Shapes: x N × numFeatures → logits N × numClasses.
 */
import type { Config } from '../../config/schema.js';
import type { Tensor } from '../../engine/index.js';
import { type ForwardContext, Module } from '../module.js';
import type { LayerStack, StackOutput } from './stack.js';

export type ModelConfig = Config['model'];

export interface ModelDims {
  numFeatures: number;
  numClasses: number;
}

export class NodeModel extends Module {
  readonly config: ModelConfig;
  readonly dims: ModelDims;
  readonly stack: LayerStack;
  readonly post: ((logits: Tensor, ctx: ForwardContext) => Tensor) | null;

  constructor(
    config: ModelConfig,
    dims: ModelDims,
    stack: LayerStack,
    post: ((logits: Tensor, ctx: ForwardContext) => Tensor) | null = null,
  ) {
    super();
    this.config = config;
    this.dims = dims;
    this.stack = this.addChild('stack', stack);
    this.post = post;
  }

  /** Logits N × C. */
  forward(x: Tensor, ctx: ForwardContext): Tensor {
    return this.forwardWithHidden(x, ctx).out;
  }

  /** Logits and the last hidden representation (for embeddings). */
  forwardWithHidden(x: Tensor, ctx: ForwardContext): StackOutput {
    const r = this.stack.forward(x, ctx);
    return this.post ? { out: this.post(r.out, ctx), hidden: r.hidden } : r;
  }
}

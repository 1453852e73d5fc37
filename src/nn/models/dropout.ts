import { dropout, type Tensor } from '../../engine/index.js';
import type { ForwardContext } from '../module.js';

/** Inverted dropout in training mode only, drawing its mask from the context's seeded stream. */
export function dropoutOp(x: Tensor, p: number, ctx: ForwardContext): Tensor {
  return dropout(x, p, ctx.training, ctx.rng);
}

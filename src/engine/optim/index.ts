/** Optimizers with torch.optim semantics, gradient clipping, and a by-name factory for configs. */
import type { Tensor } from '../tensor.js';
import { Adam, type AdamOptions, AdamW } from './adam.js';
import { NAdam, type NadamOptions } from './nadam.js';
import type { Optimizer, OptimizerKind } from './optimizer.js';
import { RMSprop, type RmspropOptions } from './rmsprop.js';
import { SGD, type SgdOptions } from './sgd.js';

export { Adam, type AdamOptions, AdamW } from './adam.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { MomentOptimizer, type MomentOptions } from './moments.js';
export { NAdam, type NadamOptions } from './nadam.js';
export { Optimizer, type OptimizerKind, type OptimizerState } from './optimizer.js';
export { RMSprop, type RmspropOptions } from './rmsprop.js';
export { SGD, type SgdOptions } from './sgd.js';

export type AnyOptimizerOptions = AdamOptions & SgdOptions & RmspropOptions & NadamOptions;

/** Builds an optimizer by kind (config `train.optimizer`); options a kind does not know are ignored. */
export function createOptimizer(
  kind: OptimizerKind,
  params: readonly Tensor[],
  opts: AnyOptimizerOptions = {},
): Optimizer {
  switch (kind) {
    case 'sgd':
      return new SGD(params, opts);
    case 'adam':
      return new Adam(params, opts);
    case 'adamw':
      return new AdamW(params, opts);
    case 'rmsprop':
      return new RMSprop(params, opts);
    case 'nadam':
      return new NAdam(params, opts);
  }
}

/**
 * MLP baseline: Linear layers only, the graph is ignored (the WikiCS paper's MLP: 35 hidden units, lr 0.003).
 * Widths: numFeatures → hidden × (layers − 1) → numClasses.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { Linear } from '../linear.js';
import { type ModelConfig, type ModelDims, NodeModel } from './model.js';
import { LayerStack } from './stack.js';
import { chain, stackOptions, widthsOf } from './widths.js';

export function buildMlp(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  const widths = widthsOf(cfg, dims);
  const layers = chain(dims.numFeatures, widths, (i, o) => new Linear(tape, rng, i, o));
  return new NodeModel(cfg, dims, new LayerStack(tape, layers, dims.numFeatures, widths, stackOptions(cfg)));
}

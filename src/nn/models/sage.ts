/**
 * GraphSAGE (Hamilton et al., 2017) with the mean aggregator and root weight: SAGEConv layers.
 * Widths: numFeatures → hidden × (layers − 1) → numClasses.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { SAGEConv } from '../conv/sage-conv.js';
import { type ModelConfig, type ModelDims, NodeModel } from './model.js';
import { LayerStack } from './stack.js';
import { chain, stackOptions, widthsOf } from './widths.js';

export function buildSage(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  const widths = widthsOf(cfg, dims);
  const layers = chain(dims.numFeatures, widths, (i, o) => new SAGEConv(tape, rng, i, o));
  return new NodeModel(cfg, dims, new LayerStack(tape, layers, dims.numFeatures, widths, stackOptions(cfg)));
}

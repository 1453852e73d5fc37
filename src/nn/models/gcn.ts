/**
 * GCN (Kipf & Welling, 2017): GCNConv layers. Paper setting on Planetoid: 2 layers, 16 hidden, dropout 0.5;
 * WikiCS paper: 33 hidden, dropout 0.25. Widths: numFeatures → hidden × (layers − 1) → numClasses.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { GCNConv } from '../conv/gcn-conv.js';
import { type ModelConfig, type ModelDims, NodeModel } from './model.js';
import { LayerStack } from './stack.js';
import { chain, stackOptions, widthsOf } from './widths.js';

export function buildGcn(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  const widths = widthsOf(cfg, dims);
  const layers = chain(dims.numFeatures, widths, (i, o) => new GCNConv(tape, rng, i, o));
  return new NodeModel(cfg, dims, new LayerStack(tape, layers, dims.numFeatures, widths, stackOptions(cfg)));
}

/**
 * APPNP (Gasteiger et al., 2019): an MLP predicts, then APPNP propagation (K steps, teleport α) smooths the logits
 * over the graph. WikiCS paper: K = 2, α = 0.11, lr 0.02. Widths: numFeatures → hidden × (layers − 1) → numClasses.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { APPNP } from '../conv/appnp.js';
import { Linear } from '../linear.js';
import { type ModelConfig, type ModelDims, NodeModel } from './model.js';
import { LayerStack } from './stack.js';
import { chain, stackOptions, widthsOf } from './widths.js';

export function buildAppnp(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  const widths = widthsOf(cfg, dims);
  const layers = chain(dims.numFeatures, widths, (i, o) => new Linear(tape, rng, i, o));
  const prop = new APPNP(cfg.appnp_k, cfg.appnp_alpha);
  const stack = new LayerStack(tape, layers, dims.numFeatures, widths, stackOptions(cfg));
  return new NodeModel(cfg, dims, stack, (logits, ctx) => prop.forward(logits, ctx));
}

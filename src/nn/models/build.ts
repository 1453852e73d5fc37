/**
 * The model registry: `model.name` → builder. Every builder draws its initial weights from `rng` in a fixed order,
 * so (config, seed) fixes the initial weights.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { buildAppnp } from './appnp.js';
import { buildGat } from './gat.js';
import { buildGcn } from './gcn.js';
import { buildMlp } from './mlp.js';
import type { ModelConfig, ModelDims, NodeModel } from './model.js';
import { buildSage } from './sage.js';

export type ModelBuilder = (tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims) => NodeModel;

export const modelBuilders: Readonly<Record<ModelConfig['name'], ModelBuilder>> = Object.freeze({
  mlp: buildMlp,
  gcn: buildGcn,
  sage: buildSage,
  gat: buildGat,
  appnp: buildAppnp,
});

export function buildModel(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  return modelBuilders[cfg.name](tape, rng, cfg, dims);
}

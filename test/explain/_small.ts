/**
 * A small random graph with random features and untrained models of each explainable architecture on the float64
 * reference backend. Purpose: finite-difference checks, where float32 rounding would swamp the differences, on a
 * graph whose 2-hop subgraphs are a strict part of it (so the subgraph's full-graph degrees are exercised).
 */
import { resolveConfig } from '../../src/config/load.js';
import { type Backend, createBackend, Rng, Tape } from '../../src/engine/index.js';
import type { ExplainGraph } from '../../src/explain/explain.js';
import { buildModel } from '../../src/nn/models/build.js';
import type { NodeModel } from '../../src/nn/models/model.js';
import { randomGraph } from '../engine/_graphs.js';

export const F = 5;
export const C = 3;

export function smallGraph(n = 30, seed = 4): ExplainGraph {
  const structure = randomGraph(n, 2.5, seed);
  const rng = new Rng(seed + 100);
  // float32 values, as every dataset stores them: the subgraph copies features into float32 too
  const features = Float32Array.from({ length: n * F }, () => rng.normal());
  return { structure, features, numFeatures: F };
}

/** `name` with 2 layers of 4 hidden units; ELU so that finite differences never straddle a kink. */
export function smallModel(
  name: 'gcn' | 'sage' | 'appnp' | 'gat' | 'mlp',
  seed = 1,
  backend: Backend = createBackend({ name: 'reference', dtype: 'f64' }),
) {
  const tape = new Tape(backend);
  const cfg = resolveConfig({
    overrides: [`model.name=${name}`, 'model.hidden=4', 'model.layers=2', 'model.activation=elu', 'model.heads=2'],
  });
  const model: NodeModel = buildModel(tape, new Rng(seed), cfg.model, { numFeatures: F, numClasses: C });
  return { tape, model };
}

import type { GraphData } from './graph.js';
import { withHash } from './hash.js';

/**
 * Row-normalise features: x_i ← x_i / Σ_j x_ij (rows summing to 0 stay 0), as tkipf/gcn's `preprocess_features`.
 * Standard for Planetoid's bag-of-words; do NOT use on WikiCS's GloVe means (accuracy collapses to ~32%).
 */
export function rowNormalize(features: Float32Array, numNodes: number, numFeatures: number): Float32Array {
  const out = new Float32Array(features.length);
  for (let i = 0; i < numNodes; i++) {
    const row = features.subarray(i * numFeatures, (i + 1) * numFeatures);
    let s = 0;
    for (let j = 0; j < numFeatures; j++) s += row[j];
    if (s === 0) continue;
    const inv = 1 / s;
    for (let j = 0; j < numFeatures; j++) out[i * numFeatures + j] = row[j] * inv;
  }
  return out;
}

/** The graph with row-normalised features and a new content hash (it is a different dataset version). */
export function normalizeFeatures(g: GraphData): GraphData {
  const { hash: _old, ...rest } = g;
  return withHash({ ...rest, features: rowNormalize(g.features, g.numNodes, g.numFeatures) });
}

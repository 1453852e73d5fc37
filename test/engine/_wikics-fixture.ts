/**
 * A small synthetic graph in the WikiCS data.json format, produced by the project's seeded generator and parsed by
 * the real WikiCS loader (undirected, like PyG). Purpose: a few hundred nodes with WikiCS's shape (300 features,
 * 10 classes, heavy-tailed degrees, 20 splits) so a GCN trains for real in well under a second per backend.
 */

import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import type { GraphData } from '../../src/data/graph.js';
import { generateSynthetic } from '../../src/data/synth.js';

export function smallWikiCS(nodes = 400, seed = 3): GraphData {
  const json = generateSynthetic({ nodes, seed });
  return wikicsFromJson(JSON.parse(JSON.stringify(json)), { name: 'synthetic' });
}

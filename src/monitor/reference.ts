/**
 * The reference profile stored with every registered model version: the training graph's features,
 * the model's own predictions on it, and request-shaped structure (degrees and sizes of ego subgraphs, as the
 * server logs them for /predict traffic). Computed once at registration; drift reports read only the profile.
 */
import type { GraphData } from '../data/graph.js';
import { computeProfile, type ReferenceProfile } from './profile.js';
import { serializeProfile } from './profile-io.js';
import { requestShapedStructure } from './simulate.js';

export function modelReferenceProfile(
  graph: GraphData,
  predictions?: Int32Array,
  opts: { quantiles?: number; samples?: number } = {},
): ReferenceProfile {
  const s = requestShapedStructure(graph, { hops: 2, maxNodes: 200, samples: opts.samples ?? 2000 });
  return computeProfile(graph.features, graph.numNodes, graph.numFeatures, {
    degrees: s.degrees,
    subgraphSizes: s.subgraphSizes,
    ...(predictions ? { predictions, numClasses: graph.numClasses } : {}),
    ...(opts.quantiles ? { quantiles: opts.quantiles } : {}),
    meta: { dataset: graph.name, datasetHash: graph.hash },
  });
}

export function modelReferenceProfileBytes(graph: GraphData, predictions?: Int32Array): Uint8Array {
  return Buffer.from(serializeProfile(modelReferenceProfile(graph, predictions)));
}

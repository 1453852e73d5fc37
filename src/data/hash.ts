import { sha256 } from '../util/fs.js';
import type { GraphData } from './graph.js';

/** The typed arrays of a graph, by the names the cache files use. Masks of split s are `train.s` etc. */
export function graphArrays(g: Omit<GraphData, 'hash'>): Record<string, Float32Array | Int32Array | Uint8Array> {
  const arrays: Record<string, Float32Array | Int32Array | Uint8Array> = {
    features: g.features,
    labels: g.labels,
    indptr: g.indptr,
    indices: g.indices,
    test: g.testMask,
  };
  g.splits.forEach((s, i) => {
    arrays[`train.${i}`] = s.train;
    arrays[`val.${i}`] = s.val;
    arrays[`stopping.${i}`] = s.stopping;
  });
  return arrays;
}

export function bytesOf(a: Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** sha256 of every array, by name. */
export function arrayDigests(g: Omit<GraphData, 'hash'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, a] of Object.entries(graphArrays(g))) out[k] = sha256(bytesOf(a));
  return out;
}

/** sha256 of the node id map as the cache stores it (JSON), or undefined when the graph has none. */
export function nodeIdsDigest(g: Pick<GraphData, 'nodeIds'>): string | undefined {
  return g.nodeIds ? sha256(JSON.stringify(g.nodeIds)) : undefined;
}

/**
 * The dataset version: sha256 over the shape facts, the per-array digests and the node id map's digest (when the
 * graph has one), as canonical JSON, shortened to 16 hex digits. Two graphs with the same hash have byte-identical
 * features, labels, adjacency and masks, and the same original node ids.
 */
export function contentHash(
  g: Omit<GraphData, 'hash'>,
  digests: Record<string, string> = arrayDigests(g),
  idsDigest: string | undefined = nodeIdsDigest(g),
): string {
  const facts = {
    numNodes: g.numNodes,
    numFeatures: g.numFeatures,
    numClasses: g.numClasses,
    undirected: g.undirected,
    stoppingMask: g.stoppingMask,
    splits: g.splits.length,
    arrays: Object.keys(digests)
      .sort()
      .map((k) => [k, digests[k]]),
    // Only graphs with an id map carry the key, so the versions of every other graph are what they always were.
    ...(idsDigest !== undefined ? { nodeIds: idsDigest } : {}),
  };
  return sha256(JSON.stringify(facts)).slice(0, 16);
}

/** Attach the content hash to a freshly assembled graph. */
export function withHash(g: Omit<GraphData, 'hash'>): GraphData {
  return { ...g, hash: contentHash(g) };
}

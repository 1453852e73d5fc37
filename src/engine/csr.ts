/**
 * The one edge list → CSR builder, for stored graphs (data readers) and request subgraphs (serving) alike.
 * Rows are bucketed with a counting sort, then each row is sorted ascending; with `undirected` every (u, v) also
 * adds (v, u) and duplicates are merged, as PyG's `to_undirected` + `coalesce` do. Without it the raw directed
 * entries are kept as given (duplicates included).
 */
import type { GraphStructure } from './adjacency.js';

export interface CsrAdjacency {
  indptr: Int32Array;
  indices: Int32Array;
  /** Whether the edges were symmetrised (as asked). */
  undirected: boolean;
  /** Entries (i, i) in the result. */
  selfLoops: number;
}

/** `src[k] → dst[k]` for k < count; node ids must already be validated to lie in 0..numNodes-1. */
export function buildCsr(
  numNodes: number,
  src: Int32Array,
  dst: Int32Array,
  count: number,
  undirected: boolean,
): CsrAdjacency {
  const deg = new Int32Array(numNodes + 1);
  for (let k = 0; k < count; k++) {
    deg[src[k] + 1]++;
    if (undirected && src[k] !== dst[k]) deg[dst[k] + 1]++;
  }
  for (let i = 0; i < numNodes; i++) deg[i + 1] += deg[i];
  const total = deg[numNodes];
  const fill = deg.slice(0, numNodes);
  const raw = new Int32Array(total);
  for (let k = 0; k < count; k++) {
    const u = src[k];
    const v = dst[k];
    raw[fill[u]++] = v;
    if (undirected && u !== v) raw[fill[v]++] = u;
  }
  const indptr = new Int32Array(numNodes + 1);
  let out = 0;
  let selfLoops = 0;
  for (let i = 0; i < numNodes; i++) {
    const row = raw.subarray(deg[i], deg[i + 1]).sort();
    for (let j = 0; j < row.length; j++) {
      if (undirected && j > 0 && row[j] === row[j - 1]) continue;
      raw[out++] = row[j];
      if (row[j] === i) selfLoops++;
    }
    indptr[i + 1] = out;
  }
  return { indptr, indices: raw.slice(0, out), undirected, selfLoops };
}

/**
 * The GraphStructure the adjacency builders take, from edges src → dst: row i lists the sources flowing into i
 * (so the rows are buildCsr's with the roles swapped; duplicates stay, the builders merge them).
 */
export function structureFromEdges(n: number, src: Int32Array, dst: Int32Array): GraphStructure {
  const { indptr, indices } = buildCsr(n, dst, src, dst.length, false);
  return { numNodes: n, indptr, indices };
}

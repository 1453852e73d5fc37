/** Small graph fixtures for the engine tests, generated from a seed with a stated purpose. */
import type { GraphStructure } from '../../src/engine/adjacency.js';
import { Rng } from '../../src/engine/rng.js';

/** CSR with row i = the listed neighbours of i, in the order given (duplicates and self-loops kept). */
export function csrFromLists(lists: number[][]): GraphStructure {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => {
    indptr[i + 1] = indptr[i] + l.length;
  });
  return { numNodes: lists.length, indptr, indices: Int32Array.from(lists.flat()) };
}

/**
 * A random undirected graph (both directions stored, sorted rows) with about `avgDegree` neighbours per node and
 * some isolated nodes possible: exercises uneven row lengths in the sparse and edge-wise ops.
 */
export function randomGraph(n: number, avgDegree: number, seed: number): GraphStructure {
  const rng = new Rng(seed);
  const sets = Array.from({ length: n }, () => new Set<number>());
  const m = Math.round((n * avgDegree) / 2);
  for (let e = 0; e < m; e++) {
    const a = rng.int(n);
    const b = rng.int(n);
    if (a === b) continue;
    sets[a].add(b);
    sets[b].add(a);
  }
  return csrFromLists(sets.map((s) => [...s].sort((x, y) => x - y)));
}

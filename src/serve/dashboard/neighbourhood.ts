import type { GraphData } from '../../data/graph.js';

export interface Neighbourhood {
  /** Node ids, centre first, then by hop (BFS order). */
  nodes: number[];
  hop: Int8Array;
  /** Undirected pairs [a, b], a < b, among `nodes` (self-loops dropped). */
  edges: [number, number][];
  truncated: boolean;
  /** Nodes within `hops` of the centre, counted up to `countCap`. */
  ballSize: number;
}

/**
 * The `hops`-hop ball around `center`, capped at `maxNodes`: breadth first, so that a truncated answer keeps
 * all nearer nodes before any farther one; within a hop, neighbours in CSR order. Edges are read from the CSR
 * rows of the kept nodes (both directions, deduplicated), so the answer is the induced subgraph.
 * Cost: O(Σ degree of visited nodes); the ball is counted (for `ballSize`) up to `countCap` nodes.
 */
export function neighbourhood(
  g: Pick<GraphData, 'numNodes' | 'indptr' | 'indices'>,
  center: number,
  hops: number,
  maxNodes: number,
  countCap = 100_000,
): Neighbourhood {
  const seen = new Map<number, number>([[center, 0]]);
  let frontier = [center];
  let ballSize = 1;
  const kept: number[] = [center];
  for (let h = 1; h <= hops && frontier.length > 0; h++) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let p = g.indptr[u]; p < g.indptr[u + 1]; p++) {
        const v = g.indices[p];
        if (seen.has(v)) continue;
        seen.set(v, h);
        ballSize++;
        if (kept.length < maxNodes) kept.push(v);
        if (ballSize >= countCap) break;
        next.push(v);
      }
      if (ballSize >= countCap) break;
    }
    frontier = next;
  }
  const index = new Map<number, number>();
  for (let i = 0; i < kept.length; i++) index.set(kept[i], i);
  const edges: [number, number][] = [];
  const pairs = new Set<number>();
  for (const u of kept) {
    for (let p = g.indptr[u]; p < g.indptr[u + 1]; p++) {
      const v = g.indices[p];
      if (v === u || !index.has(v)) continue;
      const a = Math.min(u, v);
      const b = Math.max(u, v);
      const key = a * g.numNodes + b;
      if (pairs.has(key)) continue;
      pairs.add(key);
      edges.push([a, b]);
    }
  }
  return {
    nodes: kept,
    hop: Int8Array.from(kept, (v) => seen.get(v) ?? 0),
    edges,
    truncated: ballSize > kept.length,
    ballSize,
  };
}

/** Title search: case-insensitive; prefix matches first, then substring matches, each in id order. */
export function searchTitles(titles: readonly string[], q: string, limit: number): number[] {
  const needle = q.trim().toLowerCase();
  if (needle === '') return [];
  const prefix: number[] = [];
  const inner: number[] = [];
  for (let i = 0; i < titles.length && prefix.length < limit; i++) {
    const t = titles[i]?.toLowerCase();
    if (!t) continue;
    const at = t.indexOf(needle);
    if (at === 0) prefix.push(i);
    else if (at > 0 && inner.length < limit) inner.push(i);
  }
  return [...prefix, ...inner].slice(0, limit);
}

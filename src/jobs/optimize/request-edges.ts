/**
 * The edges of the serving benchmarks' request subgraph (the common `{x, edge_index}` client): a ring plus chords i → i + 7,
 * both directions, 4n directed edges as [sources, targets].
 */
export function requestEdges(n: number): [number[], number[]] {
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const j of [(i + 1) % n, (i + 7) % n]) {
      src.push(i, j);
      dst.push(j, i);
    }
  }
  return [src, dst];
}

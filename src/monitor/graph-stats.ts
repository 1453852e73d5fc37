/**
 * Structure statistics of a reference graph for its profile: node degrees and the size of each node's k-hop
 * neighbourhood (the subgraph a k-layer GNN needs to answer a request for that node).
 */

/** Degree of every node from a CSR (neighbour entries per row; self-loops count once). */
export function csrDegrees(indptr: Int32Array): Int32Array {
  const n = indptr.length - 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = indptr[i + 1] - indptr[i];
  return out;
}

/**
 * Nodes within `hops` edges of each node (itself included), by a BFS per node that stops at the given depth.
 * With `sample`, only every (n / sample)-th node is measured, which is enough for a distribution.
 */
export function khopSizes(indptr: Int32Array, indices: Int32Array, hops: number, sample?: number): Int32Array {
  const n = indptr.length - 1;
  const step = sample && sample < n ? n / sample : 1;
  const count = sample && sample < n ? sample : n;
  const mark = new Int32Array(n).fill(-1);
  const out = new Int32Array(count);
  let frontier = new Int32Array(n);
  let next = new Int32Array(n);
  for (let s = 0; s < count; s++) {
    const root = Math.floor(s * step);
    mark[root] = s;
    frontier[0] = root;
    let fl = 1;
    let size = 1;
    for (let h = 0; h < hops && fl > 0; h++) {
      let nl = 0;
      for (let f = 0; f < fl; f++) {
        const u = frontier[f];
        for (let e = indptr[u]; e < indptr[u + 1]; e++) {
          const v = indices[e];
          if (mark[v] !== s) {
            mark[v] = s;
            next[nl++] = v;
          }
        }
      }
      size += nl;
      [frontier, next] = [next, frontier];
      fl = nl;
    }
    out[s] = size;
  }
  return out;
}

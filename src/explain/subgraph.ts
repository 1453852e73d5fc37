/**
 * A node's computation subgraph: its k-hop in-neighbourhood, with k the number of message-passing hops of the model.
 * Only the edges that can reach the centre within k hops are kept, i.e. the edges into nodes at distance ≤ k − 1
 * (an edge into a node at distance k changes nothing the centre sees). The subgraph's forward pass gives the centre
 * the same output as the full graph: SAGE and GAT normalise by the in-edges of the target, which are all present for
 * targets at distance ≤ k − 1, and GCN's D^{-1/2} uses the full graph's degrees (`SubgraphContext`).
 *
 * Explanations run on the subgraph in local ids (the centre is local 0); results are mapped back to global ids.
 */
import {
  type Backend,
  disposeAdjacency,
  type GraphStructure,
  gcnAdjacency,
  type SparseAdjacency,
} from '../engine/index.js';
import { GraphContext } from '../nn/graph-context.js';

export interface ComputationSubgraph {
  /** Global id of each local node, the centre first, then in breadth-first order. */
  nodes: Int32Array;
  /** Hop distance of each local node from the centre. */
  distance: Int32Array;
  hops: number;
  /** The explained edges in local ids: src[e] → dst[e], distinct, no self-loops. */
  src: Int32Array;
  dst: Int32Array;
  /**
   * In-neighbours each local node has in the full graph beyond the subgraph's edges (non-zero only at distance k),
   * so that GCN's degrees are the full graph's.
   */
  outsideDegree: Int32Array;
}

/** BFS over in-edges (row i of the CSR lists the sources of messages into i). Duplicate entries and self-loops are ignored. */
export function computationSubgraph(g: GraphStructure, center: number, hops: number): ComputationSubgraph {
  const local = new Map<number, number>([[center, 0]]);
  const order = [center];
  const dist = [0];
  let frontier = [center];
  for (let h = 1; h <= hops; h++) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let e = g.indptr[u]; e < g.indptr[u + 1]; e++) {
        const j = g.indices[e];
        if (local.has(j)) continue;
        local.set(j, order.length);
        order.push(j);
        dist.push(h);
        next.push(j);
      }
    }
    frontier = next;
  }
  const src: number[] = [];
  const dst: number[] = [];
  const outside = new Int32Array(order.length);
  for (let lu = 0; lu < order.length; lu++) {
    const u = order[lu];
    const seen = new Set<number>();
    for (let e = g.indptr[u]; e < g.indptr[u + 1]; e++) {
      const j = g.indices[e];
      if (j === u || seen.has(j)) continue;
      seen.add(j);
      if (dist[lu] < hops) {
        src.push(local.get(j) as number);
        dst.push(lu);
      }
    }
    if (dist[lu] >= hops) outside[lu] = seen.size;
  }
  return {
    nodes: Int32Array.from(order),
    distance: Int32Array.from(dist),
    hops,
    src: Int32Array.from(src),
    dst: Int32Array.from(dst),
    outsideDegree: outside,
  };
}

/** The local CSR of the subgraph restricted to the edges whose `keep` flag is set (all of them without one). */
export function subgraphStructure(sg: ComputationSubgraph, keep?: Uint8Array): GraphStructure {
  const n = sg.nodes.length;
  const indptr = new Int32Array(n + 1);
  for (let e = 0; e < sg.src.length; e++) if (!keep || keep[e]) indptr[sg.dst[e] + 1]++;
  for (let i = 0; i < n; i++) indptr[i + 1] += indptr[i];
  const next = indptr.slice(0, n);
  const indices = new Int32Array(indptr[n]);
  for (let e = 0; e < sg.src.length; e++) if (!keep || keep[e]) indices[next[sg.dst[e]]++] = sg.src[e];
  return { numNodes: n, indptr, indices };
}

/**
 * The subgraph's operators, with Â built from the full graph's degrees: D̂_ii counts i's self-loop, its in-edges in
 * the subgraph and the ones it has outside, so that the centre's output matches the full-graph forward pass.
 */
export class SubgraphContext extends GraphContext {
  readonly #outside: Int32Array;
  #gcnFull: SparseAdjacency | undefined;

  constructor(backend: Backend, structure: GraphStructure, outsideDegree: Int32Array) {
    super(backend, structure);
    this.#outside = outsideDegree;
  }

  override get gcn(): SparseAdjacency {
    if (!this.#gcnFull) {
      const adj = gcnAdjacency(this.backend, this.structure);
      const n = this.numNodes;
      const dinv = new Float64Array(n);
      for (let i = 0; i < n; i++) dinv[i] = 1 / Math.sqrt(adj.a.indptr[i + 1] - adj.a.indptr[i] + this.#outside[i]);
      for (const m of [adj.a, adj.t]) {
        const values = m.values as NonNullable<typeof m.values>;
        for (let i = 0; i < n; i++)
          for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++) values[e] = dinv[i] * dinv[m.indices[e]];
      }
      this.#gcnFull = adj;
    }
    return this.#gcnFull;
  }

  override dispose(): void {
    if (this.#gcnFull) disposeAdjacency(this.backend, this.#gcnFull);
    this.#gcnFull = undefined;
    super.dispose();
  }
}

/**
 * Where each explained edge sits among `ctx.attention`'s edges (the ones an edge mask covers): rows are sorted and
 * hold one self-loop each, so the position is found by a search in the target's row.
 */
export function maskPositions(ctx: GraphContext, src: Int32Array, dst: Int32Array): Int32Array {
  const g = ctx.attention;
  const out = new Int32Array(src.length);
  for (let e = 0; e < src.length; e++) {
    let lo = g.indptr[dst[e]];
    let hi = g.indptr[dst[e] + 1] - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g.indices[mid] < src[e]) lo = mid + 1;
      else hi = mid;
    }
    out[e] = lo;
  }
  return out;
}

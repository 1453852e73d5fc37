/**
 * Sparse operators built once per graph, in backend memory so the kernels use them without copies.
 *
 * Convention: row i of a CSR lists the nodes whose features flow INTO node i (out[i] = Σ_j A[i, j] · x[j]); for an
 * undirected graph (both directions stored) this is simply the neighbour list. Every builder drops duplicate entries,
 * so the weights match PyG on graphs that store an edge twice. The transpose (for backward passes) is precomputed.
 */

import { checkCsr } from './backend/csr-check.js';
import type { Backend, Csr } from './backend/types.js';

/** The adjacency arrays the builders read (a subset of GraphData). */
export interface GraphStructure {
  numNodes: number;
  indptr: Int32Array;
  indices: Int32Array;
}

/** A sparse operator with its transpose: forward out = a·x, backward dx = t·dout. */
export interface SparseAdjacency {
  a: Csr;
  t: Csr;
}

/**
 * Edge structure for attention (GAT): row i holds the edges into target i, indices are sources. `indptrT`/`indicesT`
 * are the transposed CSR (row j lists targets of j), and perm[k] is the edge id (position in `indices`) of transposed
 * entry k, so gradients w.r.t. sources are gathers rather than scatters.
 */
export interface AttentionGraph {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  indptrT: Int32Array;
  indicesT: Int32Array;
  perm: Int32Array;
}

export interface SelfLoopOptions {
  /** Drop self-loops present in the input and add exactly one per node. */
  selfLoops?: boolean;
}

/**
 * GCN propagation matrix Â = D^{-1/2} (A + I) D^{-1/2} (Kipf & Welling, 2017), with D the row counts of A + I
 * (in-degree at the target, as PyG's gcn_norm). Default selfLoops = true. Â is symmetric for an undirected graph,
 * but the transpose is built explicitly so directed inputs stay exact.
 */
export function gcnAdjacency(backend: Backend, g: GraphStructure, opts: SelfLoopOptions = {}): SparseAdjacency {
  const s = structure(backend, g, opts.selfLoops ?? true);
  const n = g.numNodes;
  const dinv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = s.indptr[i + 1] - s.indptr[i];
    dinv[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  const values = backend.alloc(s.indices.length);
  for (let i = 0; i < n; i++) {
    for (let e = s.indptr[i]; e < s.indptr[i + 1]; e++) values[e] = dinv[i] * dinv[s.indices[e]];
  }
  const a: Csr = { rows: n, cols: n, indptr: s.indptr, indices: s.indices, values };
  return { a, t: transposeValues(backend, a) };
}

/**
 * Mean aggregation over neighbours (GraphSAGE's mean aggregator): A[i, j] = 1/deg(i). Nodes without neighbours get
 * a zero row. Default selfLoops = false (SAGE keeps the root term separate).
 */
export function meanAdjacency(backend: Backend, g: GraphStructure, opts: SelfLoopOptions = {}): SparseAdjacency {
  const s = structure(backend, g, opts.selfLoops ?? false);
  const n = g.numNodes;
  const values = backend.alloc(s.indices.length);
  for (let i = 0; i < n; i++) {
    const d = s.indptr[i + 1] - s.indptr[i];
    for (let e = s.indptr[i]; e < s.indptr[i + 1]; e++) values[e] = 1 / d;
  }
  const a: Csr = { rows: n, cols: n, indptr: s.indptr, indices: s.indices, values };
  return { a, t: transposeValues(backend, a) };
}

/** Edge structure for attention, default selfLoops = true (as GATConv). */
export function attentionGraph(backend: Backend, g: GraphStructure, opts: SelfLoopOptions = {}): AttentionGraph {
  const s = structure(backend, g, opts.selfLoops ?? true);
  const n = g.numNodes;
  const { t, perm } = transposeCsr(backend, { rows: n, cols: n, indptr: s.indptr, indices: s.indices, values: null });
  return { rows: n, cols: n, indptr: s.indptr, indices: s.indices, indptrT: t.indptr, indicesT: t.indices, perm };
}

/** The transpose alone: its permutation goes straight back to the pool (a server builds one Â per request). */
function transposeValues(backend: Backend, a: Csr): Csr {
  const { t, perm } = transposeCsr(backend, a);
  backend.free(perm);
  return t;
}

/**
 * Transpose by counting sort over columns. Entries of each transposed row come in increasing original row order,
 * and perm[k] is the original position of transposed entry k.
 */
export function transposeCsr(backend: Backend, a: Csr): { t: Csr; perm: Int32Array } {
  const nnz = a.indptr[a.rows];
  const indptr = backend.allocI32(a.cols + 1); // zeroed by the backend
  for (let e = 0; e < nnz; e++) indptr[a.indices[e] + 1]++;
  for (let j = 0; j < a.cols; j++) indptr[j + 1] += indptr[j];
  const next = indptr.slice(0, a.cols);
  const indices = backend.allocI32(nnz);
  const perm = backend.allocI32(nnz);
  const values = a.values ? backend.alloc(nnz) : null;
  for (let i = 0; i < a.rows; i++) {
    for (let e = a.indptr[i]; e < a.indptr[i + 1]; e++) {
      const k = next[a.indices[e]]++;
      indices[k] = i;
      perm[k] = e;
      if (values && a.values) values[k] = a.values[e];
    }
  }
  return { t: { rows: a.cols, cols: a.rows, indptr, indices, values }, perm };
}

/** Returns a builder's buffers to the backend. */
export function disposeAdjacency(backend: Backend, adj: SparseAdjacency | AttentionGraph): void {
  if ('a' in adj) {
    for (const m of [adj.a, adj.t]) {
      backend.free(m.indptr);
      backend.free(m.indices);
      if (m.values) backend.free(m.values);
    }
  } else {
    for (const b of [adj.indptr, adj.indices, adj.indptrT, adj.indicesT, adj.perm]) backend.free(b);
  }
}

/** Sorted, de-duplicated rows with self-loops dropped, then (optionally) one self-loop per node. */
function structure(
  backend: Backend,
  g: GraphStructure,
  selfLoops: boolean,
): { indptr: Int32Array; indices: Int32Array } {
  const n = g.numNodes;
  checkCsr({ rows: n, cols: n, indptr: g.indptr, indices: g.indices }, { name: 'graph' });
  const nnzIn = g.indptr[n];
  const rowBuf: number[] = [];
  const counts = new Int32Array(n + 1);
  const tmp = new Int32Array(nnzIn + n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const lo = g.indptr[i];
    const hi = g.indptr[i + 1];
    rowBuf.length = 0;
    for (let e = lo; e < hi; e++) {
      const j = g.indices[e];
      if (j !== i) rowBuf.push(j);
    }
    if (selfLoops) rowBuf.push(i);
    rowBuf.sort((x, y) => x - y);
    const start = w;
    for (let k = 0; k < rowBuf.length; k++) {
      if (k > 0 && rowBuf[k] === rowBuf[k - 1]) continue;
      tmp[w++] = rowBuf[k];
    }
    counts[i + 1] = w - start;
  }
  const indptr = backend.allocI32(n + 1);
  indptr[0] = 0;
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i] + counts[i + 1];
  const indices = backend.allocI32(w);
  indices.set(tmp.subarray(0, w));
  return { indptr, indices };
}

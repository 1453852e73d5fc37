/**
 * The operators of one sampled block (data/sampler.ts): a bipartite numDst × numSrc graph whose dst node d is src
 * node d. They mirror GraphContext's, built per batch in backend memory and freed by `dispose`:
 *  - mean: 1/deg_block(d) over d's sampled neighbours (SAGE; no self-loop, as on the whole graph);
 *  - gcn: the sampled edges plus one self-loop per dst node, normalised on the block as DGL's GraphConv(norm='both')
 *    does: Â[d, s] = 1/√(rowcount(d) · colcount(s)), both counted in the block with the self-loops. With every
 *    neighbour taken and every node a seed this is the whole graph's Â. For inference over full neighbourhoods pass
 *    `gcnDinv` (the whole graph's D̂^{-1/2} per global node, see gcnDegreeInv) and `nodes` (the block's global ids):
 *    then Â[d, s] = dinv(d)·dinv(s) is exactly the whole graph's entry;
 *  - attention: the sampled edges plus one self-loop per dst node (GATConv's add_self_loops).
 */
import {
  type AttentionGraph,
  type Backend,
  type Csr,
  disposeAdjacency,
  type GraphStructure,
  type SparseAdjacency,
  transposeCsr,
} from '../engine/index.js';
import type { GraphOperators } from './graph-context.js';

/** A bipartite layer as the sampler yields it (structurally; nn does not import the sampler). */
export interface BlockStructure {
  numDst: number;
  numSrc: number;
  indptr: Int32Array;
  indices: Int32Array;
}

export interface BlockContextOptions {
  /** D̂^{-1/2} of the whole graph per global node; with `nodes`, GCN uses the whole graph's normalisation. */
  gcnDinv?: Float64Array;
  /** Global id of each src node (the first numDst are the dst nodes). */
  nodes?: Int32Array;
}

export class BlockContext implements GraphOperators {
  readonly backend: Backend;
  readonly block: BlockStructure;
  readonly opts: BlockContextOptions;
  #gcn: LazyTranspose | undefined;
  #mean: LazyTranspose | undefined;
  #att: AttentionGraph | undefined;
  #loops: { indptr: Int32Array; indices: Int32Array } | undefined;

  constructor(backend: Backend, block: BlockStructure, opts: BlockContextOptions = {}) {
    this.backend = backend;
    this.block = block;
    this.opts = opts;
  }

  get numDst(): number {
    return this.block.numDst;
  }

  get numSrc(): number {
    return this.block.numSrc;
  }

  get mean(): SparseAdjacency {
    if (!this.#mean) {
      const b = this.block;
      const be = this.backend;
      const nnz = b.indptr[b.numDst];
      const indptr = be.allocI32(b.numDst + 1);
      indptr.set(b.indptr);
      const indices = be.allocI32(nnz);
      indices.set(b.indices.subarray(0, nnz));
      const values = be.alloc(nnz);
      for (let d = 0; d < b.numDst; d++) {
        const deg = b.indptr[d + 1] - b.indptr[d];
        for (let e = b.indptr[d]; e < b.indptr[d + 1]; e++) values[e] = 1 / deg;
      }
      this.#mean = new LazyTranspose(be, { rows: b.numDst, cols: b.numSrc, indptr, indices, values });
    }
    return this.#mean;
  }

  get gcn(): SparseAdjacency {
    if (!this.#gcn) {
      const b = this.block;
      const be = this.backend;
      const loops = this.withSelfLoops();
      const nnz = loops.indices.length;
      const indptr = be.allocI32(loops.indptr.length);
      indptr.set(loops.indptr);
      const indices = be.allocI32(nnz);
      indices.set(loops.indices);
      const values = be.alloc(nnz);
      const { gcnDinv, nodes } = this.opts;
      if (gcnDinv && nodes) {
        for (let d = 0; d < b.numDst; d++) {
          for (let e = indptr[d]; e < indptr[d + 1]; e++) values[e] = gcnDinv[nodes[d]] * gcnDinv[nodes[indices[e]]];
        }
      } else {
        const col = new Float64Array(b.numSrc);
        for (let e = 0; e < nnz; e++) col[indices[e]]++;
        for (let d = 0; d < b.numDst; d++) {
          const rd = indptr[d + 1] - indptr[d];
          for (let e = indptr[d]; e < indptr[d + 1]; e++) values[e] = 1 / Math.sqrt(rd * col[indices[e]]);
        }
      }
      this.#gcn = new LazyTranspose(be, { rows: b.numDst, cols: b.numSrc, indptr, indices, values });
    }
    return this.#gcn;
  }

  get attention(): AttentionGraph {
    if (!this.#att) {
      const b = this.block;
      const be = this.backend;
      const { indptr, indices } = this.withSelfLoops();
      const ip = be.allocI32(indptr.length);
      ip.set(indptr);
      const ix = be.allocI32(indices.length);
      ix.set(indices);
      const { t, perm } = transposeCsr(be, { rows: b.numDst, cols: b.numSrc, indptr: ip, indices: ix, values: null });
      this.#att = {
        rows: b.numDst,
        cols: b.numSrc,
        indptr: ip,
        indices: ix,
        indptrT: t.indptr,
        indicesT: t.indices,
        perm,
      };
    }
    return this.#att;
  }

  /** The block's rows with dst node d's self-loop (local src d) appended to row d. Plain arrays, built once. */
  private withSelfLoops(): { indptr: Int32Array; indices: Int32Array } {
    if (!this.#loops) {
      const b = this.block;
      const indptr = new Int32Array(b.numDst + 1);
      const indices = new Int32Array(b.indptr[b.numDst] + b.numDst);
      let w = 0;
      for (let d = 0; d < b.numDst; d++) {
        for (let e = b.indptr[d]; e < b.indptr[d + 1]; e++) indices[w++] = b.indices[e];
        indices[w++] = d;
        indptr[d + 1] = w;
      }
      this.#loops = { indptr, indices };
    }
    return this.#loops;
  }

  dispose(): void {
    this.#gcn?.dispose();
    this.#mean?.dispose();
    if (this.#att) disposeAdjacency(this.backend, this.#att);
    this.#gcn = this.#mean = this.#att = undefined;
  }
}

/**
 * A block operator whose transpose, which only the backward pass reads (spmm's gradient), is built on first use:
 * layer-wise inference runs without gradients and never pays for it.
 */
class LazyTranspose implements SparseAdjacency {
  readonly a: Csr;
  readonly #be: Backend;
  #t: Csr | undefined;

  constructor(be: Backend, a: Csr) {
    this.#be = be;
    this.a = a;
  }

  get t(): Csr {
    if (!this.#t) {
      const { t, perm } = transposeCsr(this.#be, this.a);
      this.#be.free(perm);
      this.#t = t;
    }
    return this.#t;
  }

  dispose(): void {
    for (const m of this.#t ? [this.a, this.#t] : [this.a]) {
      this.#be.free(m.indptr);
      this.#be.free(m.indices);
      if (m.values) this.#be.free(m.values);
    }
    this.#t = undefined;
  }
}

/**
 * D̂^{-1/2} per node of the whole graph, D̂ = 1 + distinct neighbours other than the node itself: the degrees of
 * gcnAdjacency's Â, so that blocks normalised with it reproduce the whole graph's GCN exactly.
 */
export function gcnDegreeInv(g: GraphStructure): Float64Array {
  const n = g.numNodes;
  const out = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let d = 1;
    stamp[i] = i;
    for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) {
      const j = g.indices[e];
      if (stamp[j] !== i) {
        stamp[j] = i;
        d++;
      }
    }
    out[i] = 1 / Math.sqrt(d);
  }
  return out;
}

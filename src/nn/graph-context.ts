/**
 * The sparse operators of one graph, built on first use and shared by every layer of a model (PyG rebuilds
 * `gcn_norm` per call unless cached; here each operator is built once per graph). A model asks for what it needs:
 * GCN and APPNP the symmetric-normalised Â, SAGE the mean operator, GAT the attention edge structure.
 */
import {
  type AttentionGraph,
  attentionGraph,
  type Backend,
  disposeAdjacency,
  type GraphStructure,
  gcnAdjacency,
  meanAdjacency,
  type SparseAdjacency,
} from '../engine/index.js';

/**
 * What a layer reads from its graph: the operators, and how many output rows (dst nodes) it produces from how many
 * input rows (src nodes). A whole graph has numDst = numSrc; a sampled block (block-context.ts) has its dst nodes
 * first among its src nodes, so the dst rows of an input are its leading numDst rows.
 */
export interface GraphOperators {
  readonly numDst: number;
  readonly numSrc: number;
  readonly gcn: SparseAdjacency;
  readonly mean: SparseAdjacency;
  readonly attention: AttentionGraph;
}

export class GraphContext implements GraphOperators {
  readonly backend: Backend;
  readonly structure: GraphStructure;
  #gcn: SparseAdjacency | undefined;
  #mean: SparseAdjacency | undefined;
  #att: AttentionGraph | undefined;

  constructor(backend: Backend, structure: GraphStructure) {
    this.backend = backend;
    this.structure = structure;
  }

  get numNodes(): number {
    return this.structure.numNodes;
  }

  get numDst(): number {
    return this.structure.numNodes;
  }

  get numSrc(): number {
    return this.structure.numNodes;
  }

  /** Â = D^{-1/2}(A + I)D^{-1/2} (self-loops added once, duplicates dropped). */
  get gcn(): SparseAdjacency {
    this.#gcn ??= gcnAdjacency(this.backend, this.structure);
    return this.#gcn;
  }

  /** Row-mean over neighbours, no self-loops (SAGE keeps the root term separate). */
  get mean(): SparseAdjacency {
    this.#mean ??= meanAdjacency(this.backend, this.structure);
    return this.#mean;
  }

  /** Attention edges with one self-loop per node (GATConv's add_self_loops=True). */
  get attention(): AttentionGraph {
    this.#att ??= attentionGraph(this.backend, this.structure);
    return this.#att;
  }

  dispose(): void {
    for (const a of [this.#gcn, this.#mean, this.#att]) if (a) disposeAdjacency(this.backend, a);
    this.#gcn = this.#mean = this.#att = undefined;
  }
}

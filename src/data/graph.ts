/**
 * The in-memory graph every part of gnnops works on. Arrays are typed and flat so that they can be cached as raw
 * binary, hashed, and handed to the kernels without conversion.
 */

/** One train/val/stopping split. Masks are 0/1 bytes of length numNodes. Planetoid has no stopping set: it reuses val. */
export interface Split {
  train: Uint8Array;
  val: Uint8Array;
  stopping: Uint8Array;
}

export interface GraphData {
  /** Dataset name: wikics, cora, citeseer, pubmed, or 'custom' for a --data-file. */
  name: string;
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  /** Row-major numNodes × numFeatures. */
  features: Float32Array;
  /** Class per node; -1 where a node has no label (CiteSeer's missing test nodes). */
  labels: Int32Array;
  /**
   * Adjacency in CSR: the neighbours of node i are indices[indptr[i] .. indptr[i+1]), sorted ascending.
   * For an undirected graph every edge appears in both rows. Self-loops present in the raw data are kept here;
   * models that add self-loops (GCN) handle them without duplication.
   */
  indptr: Int32Array;
  indices: Int32Array;
  /** True when the adjacency was symmetrised. */
  undirected: boolean;
  /** Self-loop entries in the adjacency. */
  selfLoops: number;
  /** Splits: 20 for WikiCS, 1 for Planetoid (the standard split). */
  splits: Split[];
  /** Shared test mask. */
  testMask: Uint8Array;
  /** Which mask early stopping watches: 'stopping' (WikiCS) or 'val' (Planetoid). */
  stoppingMask: 'stopping' | 'val';
  classNames?: string[];
  /** Node titles where metadata is known (WikiCS article titles). */
  titles?: string[];
  /**
   * The original id of each node index, for a graph imported with ids of its own (a CSV node table's `id` column);
   * absent when the ids are the indices 0..n-1. Part of the content hash: serving and explanations map these ids.
   */
  nodeIds?: string[];
  /** Content hash of the processed arrays: the dataset version recorded with every run. */
  hash: string;
  /** Link entries as stored in the raw file, before symmetrisation/deduplication. */
  rawEdgeEntries?: number;
  /** True for a graph made by `gnnops data synth`: WikiCS-format, but NOT a real dataset. */
  synthetic?: boolean;
  /** Where the graph came from (a file path or a dataset URL), for reports. */
  source?: string;
}

/** Directed edge entries in the CSR. */
export function numEdgeEntries(g: Pick<GraphData, 'indptr'>): number {
  return g.indptr[g.indptr.length - 1] ?? 0;
}

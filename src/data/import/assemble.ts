import type { CsrAdjacency } from '../../engine/index.js';
import type { GraphData } from '../graph.js';
import { withHash } from '../hash.js';

export interface ImportedParts {
  name: string;
  numFeatures: number;
  numClasses: number;
  features: Float32Array;
  labels: Int32Array;
  csr: CsrAdjacency;
  train: Uint8Array;
  val: Uint8Array;
  test: Uint8Array;
  rawEdgeEntries: number;
  source: string;
  classNames?: string[];
  /** The original node ids, when the input had ids of its own. */
  nodeIds?: string[];
}

/**
 * The GraphData of an import: one split whose val part also drives early stopping (imports carry no separate
 * stopping set, as Planetoid does not), hashed into its dataset version.
 */
export function importedGraph(p: ImportedParts): GraphData {
  return withHash({
    name: p.name,
    numNodes: p.labels.length,
    numFeatures: p.numFeatures,
    numClasses: p.numClasses,
    features: p.features,
    labels: p.labels,
    ...p.csr,
    splits: [{ train: p.train, val: p.val, stopping: p.val }],
    testMask: p.test,
    stoppingMask: 'val',
    rawEdgeEntries: p.rawEdgeEntries,
    source: p.source,
    ...(p.classNames ? { classNames: p.classNames } : {}),
    ...(p.nodeIds ? { nodeIds: p.nodeIds } : {}),
  });
}

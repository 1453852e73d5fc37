import type { GraphData } from '../graph.js';

export const ImportFormats = ['csv', 'ogb', 'npz'] as const;
export type ImportFormat = (typeof ImportFormats)[number];

export interface ImportOptions {
  /** Dataset name (validated by the caller). */
  name: string;
  /** Symmetrise and deduplicate the edges (default in the CLI: true). */
  undirected: boolean;
  /** OGB: which split folder when several exist. */
  split?: string;
  /** Number of classes when labels are integers; a label at or above it is an error. Default: max label + 1. */
  classes?: number;
  /** CSV without a split column, and npz: seed and train/val/test shares of the stratified random split. */
  seed?: number;
  ratios?: readonly [number, number, number];
  /** CSV: the two files (the edge list and the node table). */
  edges?: string;
  nodes?: string;
  /** CSV: a .npy file of node features (nodes × features, rows in node-table order) instead of feature columns. */
  features?: string;
  /** CSV: the split as three files of node ids (one per line), instead of a split column or a random split. */
  splitFiles?: SplitFiles;
  /** Called as the work advances (phase, done, total) for a progress bar. */
  progress?: (phase: string, done: number, total: number) => void;
}

export interface SplitFiles {
  train: string;
  valid: string;
  test: string;
}

export interface ImportResult {
  /** The graph, with its original node ids (GraphData.nodeIds) when the input's ids are not already 0..n-1. */
  graph: GraphData;
  /** The input files read. */
  files: string[];
  /** The split used: an OGB split folder, 'column', 'files' or 'random'. */
  split: string;
}

/**
 * Whether a run trains full-batch or on neighbour-sampled mini-batches, from train.batch_size / train.fanouts and
 * the graph's size, and the per-batch training step's inputs.
 */
import type { Config } from '../config/schema.js';
import { AUTO_BATCH_SIZE, FULL_BATCH_MAX_EDGES, FULL_BATCH_MAX_NODES } from '../config/sections/train.js';
import type { GraphData } from '../data/graph.js';
import { numEdgeEntries } from '../data/graph.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

export interface Batching {
  batchSize: number;
  /** Per hop from the seeds (PyG num_neighbors order). */
  fanouts: number[];
  workers: number;
  inferenceChunk: number;
  /** Why mini-batch was chosen when the config did not say (printed by the run). */
  auto: string | null;
}

export const MiniBatchModels = ['gcn', 'sage', 'gat', 'mlp'] as const;

/** null = full batch. */
export function resolveBatching(config: Config, data: Pick<GraphData, 'numNodes' | 'indptr'>): Batching | null {
  const t = config.train;
  const edges = numEdgeEntries(data);
  let auto: string | null = null;
  let batchSize = t.batch_size ?? 0;
  if (t.batch_size === undefined && (data.numNodes > FULL_BATCH_MAX_NODES || edges > FULL_BATCH_MAX_EDGES)) {
    batchSize = AUTO_BATCH_SIZE;
    auto = `the graph has ${data.numNodes.toLocaleString('en-US')} nodes and ${edges.toLocaleString('en-US')} edge entries (full batch up to ${FULL_BATCH_MAX_NODES.toLocaleString('en-US')} nodes and ${FULL_BATCH_MAX_EDGES.toLocaleString('en-US')} edge entries): training in mini-batches of ${AUTO_BATCH_SIZE} with sampled neighbours (set train.batch_size=0 for full batch)`;
  }
  if (batchSize === 0) return null;
  const layers = config.model.layers;
  const name = config.model.name;
  if (!(MiniBatchModels as readonly string[]).includes(name)) {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      `train.batch_size: got ${batchSize}, expected 0 for model.name=${name}: mini-batch training supports ${MiniBatchModels.join(', ')}`,
      { field: 'train.batch_size' },
    );
  }
  const fanouts = t.fanouts ?? (layers === 2 ? [15, 10] : Array.from({ length: layers }, () => 10));
  if (fanouts.length !== layers) {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      `train.fanouts: got ${fanouts.join(',')}, expected ${layers} value(s), one per layer of model.layers=${layers}`,
      { field: 'train.fanouts' },
    );
  }
  return { batchSize, fanouts, workers: t.sampler_workers, inferenceChunk: t.inference_batch_size, auto };
}

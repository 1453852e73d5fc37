/**
 * Whether a run trains full-batch or on neighbour-sampled mini-batches, from train.batch_size / train.fanouts and
 * the graph's size, and the per-batch training step's inputs.
 */
import type { Config } from '../config/schema.js';
import { AUTO_BATCH_SIZE, FULL_BATCH_MAX_GIB } from '../config/sections/train.js';
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

const size = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);

/**
 * The engine memory a full-batch step is estimated to take, in bytes (config/sections/train.ts gives the formula
 * and how it was measured): features, about six N × W activations or gradients per layer, the adjacency with its
 * transpose, and GAT's per-edge scores.
 */
export function fullBatchBytes(
  model: Pick<Config['model'], 'name' | 'layers' | 'hidden' | 'heads'>,
  data: Pick<GraphData, 'numNodes' | 'numFeatures' | 'indptr'>,
): number {
  const gat = model.name === 'gat';
  const width = model.hidden * (gat ? model.heads : 1);
  const edges = numEdgeEntries(data);
  const perEdge = 24 + (gat ? 16 * model.heads * model.layers : 0);
  return 4 * data.numNodes * (data.numFeatures + 6 * model.layers * width) + perEdge * edges;
}

/** null = full batch. */
export function resolveBatching(
  config: Config,
  data: Pick<GraphData, 'numNodes' | 'numFeatures' | 'indptr'>,
): Batching | null {
  const t = config.train;
  let auto: string | null = null;
  let tooLarge = '';
  let batchSize = t.batch_size ?? 0;
  if (t.batch_size === undefined) {
    const bytes = fullBatchBytes(config.model, data);
    // Configs stored in checkpoints written before the key existed carry none.
    const limit = (t.full_batch_max_gib ?? FULL_BATCH_MAX_GIB) * 2 ** 30;
    if (bytes > limit) {
      batchSize = AUTO_BATCH_SIZE;
      tooLarge = `a full batch of ${data.numNodes.toLocaleString('en-US')} nodes would take an estimated ${size(bytes)} of engine memory (more than train.full_batch_max_gib=${t.full_batch_max_gib})`;
      auto = `${tooLarge}, so it trains in mini-batches of ${AUTO_BATCH_SIZE} with sampled neighbours; set train.batch_size=0 to force full batch`;
    }
  }
  if (batchSize === 0) return null;
  const layers = config.model.layers;
  const name = config.model.name;
  if (!(MiniBatchModels as readonly string[]).includes(name)) {
    const supported = MiniBatchModels.join(', ');
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      auto
        ? `model.name=${name} trains full batch only, but ${tooLarge}: use one of ${supported}, or set train.batch_size=0 to try full batch anyway`
        : `train.batch_size: got ${batchSize}, expected 0 for model.name=${name}: mini-batch training supports ${supported}`,
      { field: auto ? 'model.name' : 'train.batch_size' },
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

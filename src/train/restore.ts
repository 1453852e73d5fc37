/**
 * A checkpoint back as a task on its graph: the graph comes from the checkpoint's data config (or an explicit
 * data file), is checked against the model's dimensions, and the split defaults to the one the weights came from.
 */
import { resolve } from 'node:path';
import type { GraphData } from '../data/graph.js';
import { loadDataset } from '../data/load.js';
import { NeighborLoader } from '../data/neighbor-loader.js';
import { Rng, setBackend, Tape } from '../engine/index.js';
import { type CheckpointWeights, type LoadedCheckpoint, readCheckpoint, restoreModel } from '../nn/checkpoint.js';
import { GraphContext } from '../nn/graph-context.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import { resolveBatching } from './minibatch.js';
import { NodeClassificationTask } from './task.js';

export interface RestoreOptions {
  split?: number;
  dataFile?: string;
  mirror?: string;
  /** The graph already in memory (a training job's), instead of loading it from the checkpoint's data config. */
  data?: GraphData;
}

export interface RestoredTask {
  ckpt: LoadedCheckpoint;
  data: GraphData;
  task: NodeClassificationTask;
  dispose(): void;
}

export async function restoreTask(path: string, o: RestoreOptions = {}): Promise<RestoredTask> {
  const ckpt = readCheckpoint(path);
  const cfg = ckpt.meta.config;
  const dataCfg = o.dataFile ? { ...cfg.data, file: resolve(o.dataFile) } : cfg.data;
  const data = o.data ?? (await loadDataset(dataCfg, { mirror: o.mirror, progress: false }));
  const { numFeatures, numClasses } = ckpt.meta.dims;
  if (data.numFeatures !== numFeatures || data.numClasses !== numClasses) {
    throw new GnnopsError(
      ErrorCodes.CHECKPOINT_INVALID,
      `${path}: graph "${data.name}" has ${data.numFeatures} features / ${data.numClasses} classes; the model expects ${numFeatures} / ${numClasses}`,
      { numFeatures: data.numFeatures, expected: numFeatures },
    );
  }
  if (data.hash !== ckpt.meta.dataset.hash)
    log.warn(
      { trained_on: ckpt.meta.dataset.hash, graph: data.hash },
      'evaluating on a graph whose content differs from the training data',
    );
  const split = o.split ?? (data.splits.length > 1 ? ckpt.meta.split : 0);
  if (!(Number.isInteger(split) && split >= 0 && split < data.splits.length)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--split: ${split} is outside 0..${data.splits.length - 1}`, {
      field: 'split',
      value: split,
      limit: data.splits.length,
    });
  }
  return { ckpt, ...taskFromWeights(ckpt, data, split) };
}

/**
 * A task over weights already in memory (the training job's best run), so the end of training reports and
 * profiles the model it just trained without reading its own checkpoint back from disk.
 */
export function taskFromWeights(
  weights: CheckpointWeights,
  data: GraphData,
  split: number,
): Omit<RestoredTask, 'ckpt'> {
  const cfg = weights.meta.config;
  const backend = setBackend({ name: cfg.train.backend, threads: cfg.train.threads });
  const tape = new Tape(backend);
  const model = restoreModel(tape, weights);
  const graph = new GraphContext(backend, data);
  // A model trained in mini-batches is evaluated as it was during training: by layer-wise inference in chunks, so
  // the test report and the registered reference predictions stay within the memory the training run needed.
  const batching = resolveBatching(cfg, data);
  const features = batching
    ? tape.zeros([0, data.numFeatures])
    : tape.tensor(data.features, [data.numNodes, data.numFeatures]);
  const minibatch = batching
    ? {
        batching,
        loader: new NeighborLoader({
          graph: data,
          fanouts: batching.fanouts,
          batchSize: batching.batchSize,
          workers: 0,
        }),
        seed: cfg.train.seed,
      }
    : undefined;
  const task = new NodeClassificationTask({
    tape,
    model,
    graph,
    data,
    features,
    split,
    train: cfg.train,
    ...(minibatch ? { minibatch } : {}),
    rng: new Rng(0),
  });
  return {
    data,
    task,
    dispose() {
      model.dispose();
      features.dispose();
      graph.dispose();
    },
  };
}

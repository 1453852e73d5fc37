/**
 * The evaluation protocol over splits and seeds:
 *  - WikiCS-format data (20 splits, stopping masks): train `train.splits` splits, split k with seed `train.seed + k`;
 *  - Planetoid (one fixed split): train `train.seeds` runs on split 0 with seeds `train.seed + k`.
 * Each run early-stops on the stopping mask (WikiCS) or val (Planetoid), restores its best weights and is evaluated
 * on every mask. The summary gives mean, std and the 95% t-interval of test accuracy.
 * The best run by val accuracy (model selection never looks at test) provides the checkpoint weights.
 */
import type { Config } from '../config/schema.js';
import type { GraphData } from '../data/graph.js';
import { NeighborLoader } from '../data/neighbor-loader.js';
import { type Backend, Rng, setBackend, Tape } from '../engine/index.js';
import { GraphContext } from '../nn/graph-context.js';
import { buildModel } from '../nn/models/build.js';
import { log } from '../util/logger.js';
import type { Callback } from './callbacks/callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { MetricLogger, type MetricSink } from './callbacks/metric-logger.js';
import { type Batching, resolveBatching } from './minibatch.js';
import { ci95, mean, median, std } from './stats.js';
import { NodeClassificationTask } from './task.js';
import { type BatchProgress, type EpochMetrics, type FitResult, Trainer } from './trainer.js';

export interface RunResult {
  /** Split index (WikiCS) or seed index (Planetoid). */
  index: number;
  split: number;
  seed: number;
  epochs: number;
  bestEpoch: number;
  final: FitResult['final'];
  epochMsMedian: number;
}

export interface ProtocolSummary {
  dataset: string;
  model: string;
  /** 'splits' for WikiCS-format data, 'seeds' for a fixed split. */
  mode: 'splits' | 'seeds';
  splits: number;
  test_acc_mean: number;
  test_acc_std: number;
  test_acc_ci95: number;
  val_acc_mean: number;
  stopping_acc_mean: number;
  train_acc_mean: number;
  epoch_ms_median: number;
  best_epoch_median: number;
  /** The engine memory's high-water mark after the runs (wasm backend: the arena's reserved bytes). */
  engine_memory_bytes?: number;
}

export interface ProtocolResult {
  summary: ProtocolSummary;
  runs: RunResult[];
  /** Weights of the run with the best val accuracy (first on ties). */
  best: {
    index: number;
    split: number;
    state: Map<string, { shape: number[]; data: Float32Array }>;
    /** Mini-batch runs: the best weights' logits of every node (their final layer-wise pass), N × C. */
    logits?: Float32Array;
  };
}

export interface ProtocolOptions {
  config: Config;
  data: GraphData;
  /** Backend to use; default: set the process backend from train.backend / train.threads. */
  backend?: Backend;
  /** Per-epoch metrics go here as `split<k>/<metric>` (a tracking Run). */
  sink?: MetricSink;
  onRunStart?(index: number, total: number): void;
  /** Return false to stop the current run early (sweeps' Hyperband). */
  onEpoch?(index: number, m: EpochMetrics): boolean | undefined;
  /** Mini-batch runs: after every batch (progress). */
  onBatch?(index: number, p: BatchProgress): void;
  /** Mini-batch runs: once, before the first run, with the batching in use. */
  onBatching?(b: Batching): void;
  /** The batching already resolved from this config and graph (resolveBatching); default: resolved here. */
  batching?: Batching | null;
  onRunEnd?(r: RunResult): void;
  /** Extra callbacks per run. */
  callbacks?: (index: number) => Callback[];
}

/** The runs the protocol makes: (split, seed) pairs. */
export function protocolPlan(
  config: Config,
  data: GraphData,
): { mode: 'splits' | 'seeds'; runs: { split: number; seed: number }[] } {
  const t = config.train;
  if (data.splits.length > 1) {
    const n = Math.min(t.splits, data.splits.length);
    return { mode: 'splits', runs: Array.from({ length: n }, (_, k) => ({ split: k, seed: t.seed + k })) };
  }
  return { mode: 'seeds', runs: Array.from({ length: t.seeds }, (_, k) => ({ split: 0, seed: t.seed + k })) };
}

export function runProtocol(o: ProtocolOptions): ProtocolResult {
  const { config, data } = o;
  const backend = o.backend ?? setBackend({ name: config.train.backend, threads: config.train.threads });
  const tape = new Tape(backend);
  const graph = new GraphContext(backend, data);
  const plan = protocolPlan(config, data);
  const batching = o.batching !== undefined ? o.batching : resolveBatching(config, data);
  // Mini-batches gather their rows from data.features: no second copy of the features in engine memory.
  const features = batching
    ? tape.zeros([0, data.numFeatures])
    : tape.tensor(data.features, [data.numNodes, data.numFeatures]);
  if (batching?.auto) log.info(batching.auto);
  if (batching) o.onBatching?.(batching);
  const loader = batching
    ? new NeighborLoader({
        graph: data,
        fanouts: batching.fanouts,
        batchSize: batching.batchSize,
        workers: batching.workers,
      })
    : null;
  const runs: RunResult[] = [];
  let best: ProtocolResult['best'] | null = null;
  let bestVal = Number.NEGATIVE_INFINITY;
  try {
    plan.runs.forEach(({ split, seed }, index) => {
      o.onRunStart?.(index, plan.runs.length);
      const rng = new Rng(seed);
      const model = buildModel(tape, rng, config.model, { numFeatures: data.numFeatures, numClasses: data.numClasses });
      try {
        const task = new NodeClassificationTask({
          tape,
          model,
          graph,
          data,
          features,
          split,
          train: config.train,
          rng,
          ...(batching && loader ? { minibatch: { batching, loader, seed } } : {}),
        });
        const callbacks: Callback[] = [
          new EarlyStopping({ monitor: config.train.monitor, patience: config.train.patience }),
        ];
        if (o.sink) callbacks.push(new MetricLogger(o.sink, `split${index}/`));
        if (o.callbacks) callbacks.push(...o.callbacks(index));
        const trainer = new Trainer({ maxEpochs: config.train.epochs, callbacks });
        const fit = trainer.fit(
          task,
          (m) => {
            if (o.onEpoch?.(index, m) === false) trainer.shouldStop = true;
          },
          o.onBatch ? (p) => o.onBatch?.(index, p) : undefined,
        );
        const r: RunResult = {
          index,
          split,
          seed,
          epochs: fit.epochs,
          bestEpoch: fit.bestEpoch,
          final: fit.final,
          epochMsMedian: fit.epochMsMedian,
        };
        runs.push(r);
        o.onRunEnd?.(r);
        if (fit.final.val_acc > bestVal) {
          bestVal = fit.final.val_acc;
          // The final evaluation just ran a layer-wise pass over these weights: its logits come free.
          best = { index, split, state: model.stateDict(), ...(batching ? { logits: task.logits() } : {}) };
        }
      } finally {
        model.dispose();
      }
    });
  } finally {
    // The sampling threads hold no state worth waiting for: stopping them in the background is enough.
    void loader?.close();
    features.dispose();
    graph.dispose();
    tape.reset();
  }
  const peak = backend.memoryStats?.().reservedBytes;
  const summary = summarize(config, data, plan.mode, runs);
  return {
    summary: peak === undefined ? summary : { ...summary, engine_memory_bytes: peak },
    runs,
    best: best as unknown as ProtocolResult['best'],
  };
}

export function summarize(
  config: Config,
  data: GraphData,
  mode: 'splits' | 'seeds',
  runs: RunResult[],
): ProtocolSummary {
  const pick = (f: (r: RunResult) => number) => runs.map(f);
  const test = pick((r) => r.final.test_acc);
  return {
    dataset: data.name,
    model: config.model.name,
    mode,
    splits: runs.length,
    test_acc_mean: mean(test),
    test_acc_std: std(test),
    test_acc_ci95: ci95(test),
    val_acc_mean: mean(pick((r) => r.final.val_acc)),
    stopping_acc_mean: mean(pick((r) => r.final.stopping_acc)),
    train_acc_mean: mean(pick((r) => r.final.train_acc)),
    epoch_ms_median: median(pick((r) => r.epochMsMedian)),
    best_epoch_median: median(pick((r) => r.bestEpoch)),
  };
}

/**
 * The Trainer (Lightning's): owns the full-batch epoch loop and calls the task and the callbacks by name.
 *
 *   fit(task):  onFitStart → for each epoch { trainingStep; evaluate(val, stopping); onEpochEnd; stop? } → onFitEnd
 *               → evaluate(train, val, stopping, test) with the (restored) best weights.
 *
 * An epoch is one training step plus one evaluation forward, as the PyTorch reference benchmark (torch_gcn.py) times it.
 * A mini-batch task (train.batch_size > 0) replaces the training step with one step per sampled batch over the
 * train nodes, and evaluates by layer-wise inference; the epoch's train loss and accuracy are the seed-weighted
 * means over its batches.
 */
import type { Callback } from './callbacks/callback.js';
import type { BatchStats, MaskMetrics, NodeClassificationTask } from './task.js';

export interface EpochMetrics {
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  stopping_loss: number;
  stopping_acc: number;
  epoch_ms: number;
  /** Mini-batch epochs: batches run, sampled edges, and the time spent waiting for the sampler. */
  batches?: number;
  sampled_edges?: number;
  sample_wait_ms?: number;
}

/** Progress within a mini-batch epoch. */
export interface BatchProgress extends BatchStats {
  epoch: number;
  /** Batches done in this epoch, and how many it has. */
  batch: number;
  batches: number;
  /** Since the epoch started. */
  elapsed_ms: number;
  edges_total: number;
}

export interface FitResult {
  /** Epochs run. */
  epochs: number;
  /** Epoch whose weights were kept (EarlyStopping's best, else the last). */
  bestEpoch: number;
  /** Final evaluation on every mask with the kept weights. */
  final: Required<MaskMetrics>;
  history: EpochMetrics[];
  epochMsMedian: number;
  stoppedEarly: boolean;
}

export interface TrainerOptions {
  maxEpochs: number;
  callbacks?: Callback[];
}

export class Trainer {
  readonly maxEpochs: number;
  readonly callbacks: Callback[];
  /** Set by callbacks to end the loop after the current epoch. */
  shouldStop = false;
  epoch = 0;
  history: EpochMetrics[] = [];

  constructor(o: TrainerOptions) {
    this.maxEpochs = o.maxEpochs;
    this.callbacks = o.callbacks ?? [];
  }

  fit(
    task: NodeClassificationTask,
    onEpoch?: (m: EpochMetrics) => void,
    onBatch?: (p: BatchProgress) => void,
  ): FitResult {
    this.shouldStop = false;
    this.history = [];
    task.configureOptimizer();
    for (const c of this.callbacks) c.onFitStart?.(this, task);
    for (this.epoch = 0; this.epoch < this.maxEpochs; this.epoch++) {
      const t0 = performance.now();
      const mb = task.minibatch ? this.batchEpoch(task, t0, onBatch) : null;
      const tr = mb ?? task.trainingStep();
      const ev = task.evaluate(['val', 'stopping']);
      const m: EpochMetrics = {
        epoch: this.epoch,
        train_loss: tr.train_loss,
        train_acc: tr.train_acc,
        val_loss: ev.val_loss ?? Number.NaN,
        val_acc: ev.val_acc ?? Number.NaN,
        stopping_loss: ev.stopping_loss ?? Number.NaN,
        stopping_acc: ev.stopping_acc ?? Number.NaN,
        epoch_ms: performance.now() - t0,
        ...(mb ? { batches: mb.batches, sampled_edges: mb.sampled_edges, sample_wait_ms: mb.sample_wait_ms } : {}),
      };
      this.history.push(m);
      for (const c of this.callbacks) c.onEpochEnd?.(this, task, m);
      onEpoch?.(m);
      if (this.shouldStop) break;
    }
    const epochs = this.history.length;
    for (const c of this.callbacks) c.onFitEnd?.(this, task);
    const final = task.evaluate() as Required<MaskMetrics>;
    const es = this.callbacks.find((c) => c.name === 'early_stopping') as { bestEpoch?: number } | undefined;
    const times = this.history.map((h) => h.epoch_ms).sort((a, b) => a - b);
    return {
      epochs,
      bestEpoch: es?.bestEpoch !== undefined && es.bestEpoch >= 0 ? es.bestEpoch : epochs - 1,
      final,
      history: this.history,
      epochMsMedian: times[times.length >> 1] ?? 0,
      stoppedEarly: epochs < this.maxEpochs,
    };
  }

  /** One pass over the task's sampled batches. */
  private batchEpoch(
    task: NodeClassificationTask,
    t0: number,
    onBatch?: (p: BatchProgress) => void,
  ): { train_loss: number; train_acc: number; batches: number; sampled_edges: number; sample_wait_ms: number } {
    const bs = task.minibatch?.batching.batchSize ?? 1;
    const total = Math.ceil(task.rows.train.length / bs);
    let loss = 0;
    let acc = 0;
    let seeds = 0;
    let edges = 0;
    let batches = 0;
    let wait = 0;
    const it = task.trainBatches(this.epoch)[Symbol.iterator]();
    for (;;) {
      const tw = performance.now();
      const next = it.next();
      wait += performance.now() - tw;
      if (next.done) break;
      const r = task.batchStep(next.value);
      loss += r.loss * r.seeds;
      acc += r.acc * r.seeds;
      seeds += r.seeds;
      edges += r.edges;
      batches++;
      onBatch?.({
        ...r,
        epoch: this.epoch,
        batch: batches,
        batches: total,
        elapsed_ms: performance.now() - t0,
        edges_total: edges,
      });
    }
    return { train_loss: loss / seeds, train_acc: acc / seeds, batches, sampled_edges: edges, sample_wait_ms: wait };
  }
}

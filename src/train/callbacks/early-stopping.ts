/**
 * EarlyStopping: watches `stopping_loss` (or `stopping_acc`) — the loss on the split's stopping mask, which the task
 * maps to WikiCS's stopping set or to val on Planetoid — and sets `trainer.shouldStop` after `patience` epochs without
 * strict improvement (torch_gcn.py's rule: improve when `value < best`, else count). It snapshots the weights at
 * each new best and restores them when fitting ends, so evaluation and checkpoints use the best epoch.
 *
 * The replaced system monitored the wrong mask; this one reads its mask from the task (`data.stoppingMask`).
 */
import type { NodeClassificationTask } from '../task.js';
import type { EpochMetrics, Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export interface EarlyStoppingOptions {
  /** 'loss' (minimise) or 'acc' (maximise). Default 'loss'. */
  monitor?: 'loss' | 'acc';
  patience: number;
  /** Restore the best weights at fit end (default true). */
  restoreBest?: boolean;
}

export class EarlyStopping implements Callback {
  readonly name = 'early_stopping';
  readonly monitor: 'loss' | 'acc';
  readonly patience: number;
  readonly restoreBest: boolean;
  best = Number.NaN;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  #bestWeights: Float32Array[] | null = null;

  constructor(o: EarlyStoppingOptions) {
    this.monitor = o.monitor ?? 'loss';
    this.patience = o.patience;
    this.restoreBest = o.restoreBest ?? true;
  }

  /** The metric key watched. */
  get key(): 'stopping_loss' | 'stopping_acc' {
    return this.monitor === 'loss' ? 'stopping_loss' : 'stopping_acc';
  }

  onFitStart(): void {
    this.best = Number.NaN;
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.#bestWeights = null;
  }

  onEpochEnd(trainer: Trainer, task: NodeClassificationTask, m: EpochMetrics): void {
    const v = m[this.key];
    const better = Number.isNaN(this.best) || (this.monitor === 'loss' ? v < this.best : v > this.best);
    if (better) {
      this.best = v;
      this.bestEpoch = m.epoch;
      this.wait = 0;
      const params = task.model.parameters();
      if (!this.#bestWeights) this.#bestWeights = params.map((p) => new Float32Array(p.size));
      for (const [i, p] of params.entries()) this.#bestWeights[i].set(p.data);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = m.epoch;
      trainer.shouldStop = true;
    }
  }

  onFitEnd(_trainer: Trainer, task: NodeClassificationTask): void {
    if (!this.restoreBest || !this.#bestWeights) return;
    const w = this.#bestWeights;
    for (const [i, p] of task.model.parameters().entries()) p.assign(w[i]);
  }

  stateDict(): Record<string, unknown> {
    const { monitor, patience, best, bestEpoch, wait, stoppedEpoch } = this;
    return { monitor, patience, best, best_epoch: bestEpoch, wait, stopped_epoch: stoppedEpoch };
  }
}

/**
 * EarlyStopping: watches the stopping mask, which the task maps to WikiCS's stopping set or to val on Planetoid
 * (`data.stoppingMask`), and sets `trainer.shouldStop` after `patience` epochs without improvement. It snapshots the
 * weights at each new best and restores them when fitting ends, so evaluation and checkpoints use the best epoch.
 *
 *   monitor 'loss' | 'acc':  torch_gcn.py's rule on `stopping_loss` (or `stopping_acc`): improve when strictly better
 *                            than the best, else count.
 *   monitor 'loss_acc':      the GAT paper's rule (Veličković et al. 2018, and its reference training script): the
 *                            count resets when accuracy ≥ its running max OR loss ≤ its running min; the weights are
 *                            snapshotted only when both hold at once.
 */
import type { NodeClassificationTask } from '../task.js';
import type { EpochMetrics, Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export interface EarlyStoppingOptions {
  /** 'loss' (minimise), 'acc' (maximise) or 'loss_acc' (the GAT paper's joint rule). Default 'loss'. */
  monitor?: EarlyStoppingMonitor;
  patience: number;
  /** Restore the best weights at fit end (default true). */
  restoreBest?: boolean;
}

export type EarlyStoppingMonitor = 'loss' | 'acc' | 'loss_acc';

export class EarlyStopping implements Callback {
  readonly name = 'early_stopping';
  readonly monitor: EarlyStoppingMonitor;
  readonly patience: number;
  readonly restoreBest: boolean;
  /** The monitored value at the kept epoch ('loss_acc': its loss). */
  best = Number.NaN;
  /** 'loss_acc' only: running min of the loss and max of the accuracy over all epochs so far. */
  minLoss = Number.POSITIVE_INFINITY;
  maxAcc = Number.NEGATIVE_INFINITY;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  #bestWeights: Float32Array[] | null = null;

  constructor(o: EarlyStoppingOptions) {
    this.monitor = o.monitor ?? 'loss';
    this.patience = o.patience;
    this.restoreBest = o.restoreBest ?? true;
  }

  /** The metric key watched ('loss_acc' watches stopping_acc as well). */
  get key(): 'stopping_loss' | 'stopping_acc' {
    return this.monitor === 'acc' ? 'stopping_acc' : 'stopping_loss';
  }

  onFitStart(): void {
    this.best = Number.NaN;
    this.minLoss = Number.POSITIVE_INFINITY;
    this.maxAcc = Number.NEGATIVE_INFINITY;
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.#bestWeights = null;
  }

  onEpochEnd(trainer: Trainer, task: NodeClassificationTask, m: EpochMetrics): void {
    if (this.monitor === 'loss_acc') {
      const loss = m.stopping_loss;
      const acc = m.stopping_acc;
      const lossOk = loss <= this.minLoss;
      const accOk = acc >= this.maxAcc;
      if (lossOk && accOk) this.#keep(task, m.epoch, loss);
      if (lossOk || accOk) {
        this.minLoss = Math.min(this.minLoss, loss);
        this.maxAcc = Math.max(this.maxAcc, acc);
        this.wait = 0;
        return;
      }
    } else {
      const v = m[this.key];
      const better = Number.isNaN(this.best) || (this.monitor === 'loss' ? v < this.best : v > this.best);
      if (better) {
        this.#keep(task, m.epoch, v);
        this.wait = 0;
        return;
      }
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = m.epoch;
      trainer.shouldStop = true;
    }
  }

  #keep(task: NodeClassificationTask, epoch: number, value: number): void {
    this.best = value;
    this.bestEpoch = epoch;
    const params = task.model.parameters();
    if (!this.#bestWeights) this.#bestWeights = params.map((p) => new Float32Array(p.size));
    for (const [i, p] of params.entries()) this.#bestWeights[i].set(p.data);
  }

  onFitEnd(_trainer: Trainer, task: NodeClassificationTask): void {
    if (!this.restoreBest || !this.#bestWeights) return;
    const w = this.#bestWeights;
    for (const [i, p] of task.model.parameters().entries()) p.assign(w[i]);
  }

  stateDict(): Record<string, unknown> {
    const { monitor, patience, best, bestEpoch, wait, stoppedEpoch } = this;
    const out: Record<string, unknown> = {
      monitor,
      patience,
      best,
      best_epoch: bestEpoch,
      wait,
      stopped_epoch: stoppedEpoch,
    };
    if (monitor === 'loss_acc') Object.assign(out, { min_loss: this.minLoss, max_acc: this.maxAcc });
    return out;
  }
}

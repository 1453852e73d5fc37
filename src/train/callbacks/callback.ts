/**
 * Trainer callbacks (Lightning's Callback): typed hooks called by the Trainer's loop. A callback acts only through
 * trainer state (EarlyStopping sets `trainer.shouldStop`) and can save its own state in checkpoints.
 */
import type { NodeClassificationTask } from '../task.js';
import type { EpochMetrics, Trainer } from '../trainer.js';

export interface Callback {
  readonly name: string;
  onFitStart?(trainer: Trainer, task: NodeClassificationTask): void;
  /** After each epoch's training step and evaluation. */
  onEpochEnd?(trainer: Trainer, task: NodeClassificationTask, metrics: EpochMetrics): void;
  /** After the loop, before the final evaluation (EarlyStopping restores the best weights here). */
  onFitEnd?(trainer: Trainer, task: NodeClassificationTask): void;
  /** Serialisable state, stored with checkpoints. */
  stateDict?(): Record<string, unknown>;
}

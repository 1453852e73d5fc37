/**
 * Public API of training: the Trainer and its callbacks, the protocol runner, the end-to-end pipeline, and the
 * sweep trial (src/sweep/train-trial.ts imports `sweepTrial` from here).
 */
import type { Config } from '../config/schema.js';
import type { TrialContext, TrialResult } from '../sweep/types.js';
import { runTraining } from './pipeline.js';

export { type BatchedRun, batchable, trainBatchedGcn } from './batched/batched-gcn.js';
export type { Callback } from './callbacks/callback.js';
export { ModelCheckpoint } from './callbacks/checkpoint.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { MetricLogger, type MetricSink } from './callbacks/metric-logger.js';
export { modelNameFor, runTraining, type TrainingJob, type TrainingReport } from './pipeline.js';
export {
  type ProtocolOptions,
  type ProtocolResult,
  type ProtocolSummary,
  protocolPlan,
  runProtocol,
} from './protocol.js';
export { type RestoredTask, restoreTask } from './restore.js';
export { benchTrain, type SpeedResult } from './speed.js';
export { ci95, mean, median, std, tQuantile975 } from './stats.js';
export { type MaskMetrics, type MaskName, NodeClassificationTask } from './task.js';
export { type EpochMetrics, type FitResult, Trainer, type TrainerOptions } from './trainer.js';

/**
 * A sweep trial: the protocol with the trial's config, tracked as a run of the sweep (not registered). Every epoch of
 * every split is reported with a running step; Hyperband's 'stop' (or an abort) ends the current split, and each
 * remaining split stops after its first epoch. Metrics: val_acc / test_acc (means over splits) plus the summary fields.
 */
export async function sweepTrial(config: Config, ctx: TrialContext): Promise<TrialResult> {
  let step = 0;
  let stopped = false;
  const r = await runTraining({
    config,
    register: false,
    sweepId: ctx.sweepId,
    runName: ctx.trialId,
    tags: { trial: ctx.trialId },
    load: { progress: false },
    onEpoch: (_i, m) => {
      if (stopped || ctx.signal.aborted) return false;
      const { epoch: _e, ...metrics } = m;
      if (ctx.reportEpoch(step++, metrics) === 'stop') stopped = true;
      return stopped ? false : undefined;
    },
  });
  return {
    metrics: {
      val_acc: r.val_acc_mean,
      test_acc: r.test_acc_mean,
      test_acc_std: r.test_acc_std,
      test_acc_ci95: r.test_acc_ci95,
      stopping_acc: r.stopping_acc_mean,
      epoch_ms: r.epoch_ms_median,
      best_epoch: r.best_epoch_median,
    },
    runId: r.run_id ?? undefined,
  };
}

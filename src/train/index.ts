/**
 * Public API of training: the Trainer and its callbacks, and the split/seed protocol runner. The end-to-end
 * train-and-register workflow lives one floor up, in src/jobs/.
 */

export type { Callback } from './callbacks/callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { MetricLogger, type MetricSink } from './callbacks/metric-logger.js';
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

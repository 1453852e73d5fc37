import type { GraphData } from '../data/graph.js';
import { loadDataset } from '../data/load.js';
import type { TrialFn } from '../sweep/types.js';
import { runTraining } from './train-and-register.js';

/**
 * The default TrialFn of `gnnops sweep`: one full training job (`runTraining`, as `gnnops train` runs it) per
 * trial, tracked as a run grouped under the sweep (sweep_id, tags `sweep`, `sweep_trial`), with its checkpoint
 * as an artifact. Trials do not register models: the sweep's best run is the one to register.
 *
 * - Per-epoch curve for Hyperband: the metrics of the protocol's first run (split 0 on WikiCS, seed 0 on
 *   Planetoid). Once Hyperband says stop, every remaining run of the protocol is stopped at its next epoch.
 * - Final metrics: the training summary plus `val_acc` = mean validation accuracy over the protocol's runs (the
 *   quantity auto-promotion compares) and `test_acc` = mean test accuracy.
 * - Each worker process keeps loaded datasets in memory across its trials (keyed by the data config).
 */
const datasets = new Map<string, Promise<GraphData>>();

function dataFor(cfg: Parameters<typeof loadDataset>[0]): Promise<GraphData> {
  const key = JSON.stringify(cfg);
  let p = datasets.get(key);
  if (!p) {
    p = loadDataset(cfg, { progress: false });
    p.catch(() => datasets.delete(key));
    datasets.set(key, p);
  }
  return p;
}

export const trial: TrialFn = async (config, ctx) => {
  const data = await dataFor(config.data);
  let stopped = false;
  const report = await runTraining({
    config,
    data,
    register: false,
    sweepId: ctx.sweepId,
    runName: ctx.trialId,
    tags: { sweep: ctx.sweepId, sweep_trial: String(ctx.trialIndex) },
    onEpoch(index, m) {
      if (stopped) return false;
      if (index !== 0) return undefined;
      const { epoch, ...metrics } = m;
      if (ctx.reportEpoch(epoch, metrics) === 'stop') stopped = true;
      return stopped ? false : undefined;
    },
  });
  const metrics: Record<string, number> = {
    val_acc: report.val_acc_mean,
    test_acc: report.test_acc_mean,
    test_acc_ci95: report.test_acc_ci95,
    stopping_acc: report.stopping_acc_mean,
    train_acc: report.train_acc_mean,
    epoch_ms_median: report.epoch_ms_median,
    best_epoch_median: report.best_epoch_median,
  };
  return { metrics, runId: report.run_id ?? undefined };
};

export default trial;

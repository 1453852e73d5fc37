/**
 * MetricLogger: sends every epoch's metrics to a sink (a tracking `Run` satisfies it) under `<prefix><key>` with
 * step = epoch, e.g. `split3/val_acc`. The tracking store batches the writes.
 */

import type { NodeClassificationTask } from '../task.js';
import type { EpochMetrics, Trainer } from '../trainer.js';
import type { Callback } from './callback.js';

export interface MetricSink {
  logMetrics(metrics: Record<string, number>, step?: number): void;
}

export class MetricLogger implements Callback {
  readonly name = 'metric_logger';
  readonly sink: MetricSink;
  readonly prefix: string;
  logged = 0;

  constructor(sink: MetricSink, prefix = '') {
    this.sink = sink;
    this.prefix = prefix;
  }

  onEpochEnd(_t: Trainer, _task: NodeClassificationTask, m: EpochMetrics): void {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(m)) if (k !== 'epoch') out[this.prefix + k] = v;
    this.sink.logMetrics(out, m.epoch);
    this.logged++;
  }

  stateDict(): Record<string, unknown> {
    return { prefix: this.prefix, logged: this.logged };
  }
}

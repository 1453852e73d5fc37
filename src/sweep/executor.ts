import { driveTrial, type TrialIo } from './driver.js';
import type { TrialFn, TrialOutcome, TrialTask } from './types.js';

/** Runs trials somewhere: in this process, on local worker processes, or on a BullMQ queue. */
export interface Executor {
  /** How many trials may run at once. */
  readonly slots: number;
  /** Run one trial to completion. Never rejects: failures come back as a failed outcome. */
  run(task: TrialTask, io: TrialIo): Promise<TrialOutcome>;
  close(): Promise<void>;
}

/** Trials as async functions in this process (tests, and `--workers 0`). */
export class InProcessExecutor implements Executor {
  readonly slots: number;
  readonly #fn: TrialFn;

  constructor(fn: TrialFn, slots = 1) {
    this.#fn = fn;
    this.slots = Math.max(1, slots);
  }

  run(task: TrialTask, io: TrialIo): Promise<TrialOutcome> {
    return driveTrial(this.#fn, task, { ...io, worker: io.worker ?? `pid:${process.pid}` });
  }

  async close(): Promise<void> {}
}

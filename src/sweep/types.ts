import type { Config } from '../config/schema.js';
import type { ParamSet } from './space.js';

export type EpochDecision = 'continue' | 'stop';

/** What a trial sees besides its config. */
export interface TrialContext {
  /** `<sweepId>-<index>`; unique per sweep and stable across resume. */
  trialId: string;
  sweepId: string;
  trialIndex: number;
  /** The sampled sweep parameters, as named in the sweep file (the config already holds them). */
  params: ParamSet;
  /**
   * Report one epoch's metrics (the sweep metric among them, e.g. `val_acc`). Returns 'stop' once Hyperband
   * has decided to terminate this trial: the trial should then return its metrics so far. `signal` aborts too.
   */
  reportEpoch(step: number, metrics: Record<string, number>): EpochDecision;
  /** Aborted when the trial is stopped early or the sweep is shutting down. */
  signal: AbortSignal;
}

export interface TrialResult {
  /** Final metrics; the sweep metric is read from here, else from the last reported epoch. */
  metrics: Record<string, number>;
  /** The tracker run that recorded this trial, if any: it is grouped under the sweep. */
  runId?: string;
}

/**
 * The seam between the sweep engine and training: run one trial with a resolved config.
 * A trial module (for worker processes) exports it as `default` or as `trial`.
 */
export type TrialFn = (config: Config, ctx: TrialContext) => Promise<TrialResult>;

export type TrialStatus = 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted';

/** One trial as handed to an executor (JSON-serialisable: it crosses process and machine boundaries). */
export interface TrialTask {
  sweepId: string;
  index: number;
  trialId: string;
  attempt: number;
  params: ParamSet;
  config: Config;
  metric?: { name: string; goal: 'maximize' | 'minimize' };
  /** Present when the sweep uses Hyperband. */
  hyperband?: { brackets: number[]; eta: number };
}

export interface TrialOutcome {
  status: 'finished' | 'stopped' | 'failed';
  metrics: Record<string, number>;
  /** The sweep metric's final value, if known. */
  value: number | null;
  runId?: string;
  error?: string;
  /** Number of epochs reported. */
  epochs: number;
  /** The Hyperband bracket at which the trial was stopped. */
  stoppedAt?: number;
  worker?: string;
  /** The trial could not even start (trial module or trainer missing): the sweep stops instead of burning its budget. */
  fatal?: boolean;
}

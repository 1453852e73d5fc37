import { ErrorCodes, GnnopsError, isGnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import { toLoss } from './driver.js';
import type { Executor } from './executor.js';
import { HyperbandState, hyperbandBrackets } from './hyperband.js';
import { makeSearcher, type Observation } from './search/index.js';
import type { TpeOptions } from './search/tpe.js';
import type { ParamSet } from './space.js';
import type { SweepSpec } from './spec.js';
import type { SweepRecord, SweepStore, TrialRecord } from './store.js';
import { type BaseConfig, checkSweep, trialConfig } from './trial-config.js';
import type { TrialOutcome, TrialTask } from './types.js';

export type SweepEvent =
  | { type: 'trial-start'; index: number; attempt: number; params: ParamSet }
  | { type: 'epoch'; index: number; step: number; value?: number }
  | { type: 'trial-end'; index: number; outcome: TrialOutcome };

export interface CreateOptions {
  base?: BaseConfig;
  /** Seed of every sampling decision. Default: random. */
  seed?: number;
  queue?: string;
  id?: string;
}

/**
 * Validate a sweep against the config schema and record it (status running, no trials yet).
 * The trial budget is `run_cap`, capped by the grid size for grid search. Notes (things accepted but not
 * applied, such as batch-size) are stored with the sweep; callers show them.
 */
export function createSweep(sweeps: SweepStore, spec: SweepSpec, opts: CreateOptions = {}): Promise<SweepRecord> {
  const notes = [...spec.notes, ...checkSweep(spec, opts.base)];
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const size = makeSearcher(spec, seed).size;
  const runCap = Math.min(spec.run_cap ?? size, size);
  if (!Number.isFinite(runCap)) {
    throw new GnnopsError(ErrorCodes.CONFIG_INVALID, 'sweep config: run_cap: needed for this method');
  }
  return sweeps.create({ spec, base: opts.base, runCap, seed, notes, queue: opts.queue, id: opts.id });
}

export interface RunSweepOptions {
  executor: Executor;
  onEvent?: (e: SweepEvent) => void;
  /** Abort to stop launching trials; running ones are told to stop and recorded as interrupted. */
  signal?: AbortSignal;
  tpe?: TpeOptions;
}

export interface SweepSummary {
  sweep: SweepRecord;
  trials: TrialRecord[];
  best: TrialRecord | null;
}

/** The best trial by the sweep metric (finished or stopped trials with a value). */
export function bestTrial(sweep: SweepRecord, trials: readonly TrialRecord[]): TrialRecord | null {
  const goal = sweep.goal ?? 'minimize';
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.value === null || (t.status !== 'finished' && t.status !== 'stopped')) continue;
    if (best === null || toLoss(t.value, goal) < toLoss(best.value as number, goal)) best = t;
  }
  return best;
}

function reachedTarget(spec: SweepSpec, value: number | null): boolean {
  const m = spec.metric;
  if (!m || m.target === undefined || value === null) return false;
  return m.goal === 'maximize' ? value >= m.target : value <= m.target;
}

/**
 * Run (or resume) a sweep until it has `run_cap` trials. State is committed on every trial start and finish;
 * on resume, trials left running by a dead process are re-run with the same parameters (same index, attempt + 1)
 * and finished ones are never repeated, so the sweep ends with exactly `run_cap` trials.
 */
export async function runSweep(sweeps: SweepStore, id: string, opts: RunSweepOptions): Promise<SweepSummary> {
  const rec = await sweeps.get(id);
  // Taking the sweep over revokes the leases of trials a previous process left running (see SweepStore).
  const owner = await sweeps.claim(rec.id);
  const sweepId = rec.id;
  const spec = rec.spec;
  const metric = spec.metric;
  const searcher = makeSearcher(spec, rec.seed, opts.tpe);
  const hb = spec.early_terminate ? new HyperbandState(spec.early_terminate) : null;
  const brackets = spec.early_terminate ? hyperbandBrackets(spec.early_terminate) : [];
  const existing = await sweeps.trials(sweepId);
  const curves = await sweeps.curves(sweepId);
  const history: Observation[] = [];
  const obs = (params: ParamSet, o: { status: string; value: number | null }): Observation => ({
    params,
    loss: o.status === 'failed' || o.value === null || !metric ? null : toLoss(o.value, metric.goal),
  });
  let targetReached = false;
  for (const t of existing) {
    if (t.status === 'finished' || t.status === 'stopped' || t.status === 'failed') {
      history.push(obs(t.params, t));
      if (hb && metric) for (const v of curves.get(t.index) ?? []) hb.observe(t.index, toLoss(v, metric.goal));
      if (reachedTarget(spec, t.value)) targetReached = true;
    }
  }
  const redo = existing.filter((t) => t.status === 'running' || t.status === 'interrupted');
  if (redo.length > 0) log.info({ sweep: sweepId, trials: redo.map((t) => t.index) }, 'resuming interrupted trials');
  let next = existing.reduce((m, t) => Math.max(m, t.index + 1), 0);
  let cap = rec.runCap;
  const active = new Map<number, Promise<void>>();
  const emit = (e: SweepEvent) => opts.onEvent?.(e);
  // Aborted by the caller, or when another process has taken the sweep over (`lost`): stop launching trials and
  // tell running ones to stop, since the store would refuse their results anyway.
  const takeover = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, takeover.signal]) : takeover.signal;
  let lost: string | null = null;
  const loseSweep = (reason: string) => {
    if (lost !== null) return;
    lost = reason;
    log.warn({ sweep: sweepId, reason }, 'sweep taken over by another process; stopping this one');
    takeover.abort(new Error(reason));
  };

  let fatal: string | null = null;
  const settle = async (index: number, lease: string, params: ParamSet, outcome: TrialOutcome) => {
    if (outcome.fatal) {
      fatal ??= outcome.error ?? 'trial could not start';
      await sweeps.interruptTrial(sweepId, index, lease);
      return;
    }
    if (signal.aborted && outcome.status === 'failed') {
      await sweeps.interruptTrial(sweepId, index, lease);
      return;
    }
    if (!(await sweeps.finishTrial(sweepId, index, lease, outcome))) {
      loseSweep(`the result of trial ${index} (attempt of this process) was refused: a newer attempt owns it`);
      return;
    }
    history.push(obs(params, outcome));
    if (reachedTarget(spec, outcome.value)) targetReached = true;
    if (outcome.status === 'failed') log.warn({ sweep: sweepId, trial: index, error: outcome.error }, 'trial failed');
    emit({ type: 'trial-end', index, outcome });
  };

  const launch = async (index: number, attempt: number, params: ParamSet) => {
    let config: TrialTask['config'] | null = null;
    let invalid: string | null = null;
    try {
      config = trialConfig(params, rec.base).config;
    } catch (e) {
      invalid = (e as Error).message;
    }
    let lease: string;
    try {
      lease = await sweeps.startTrial(sweepId, owner, index, attempt, params, config);
    } catch (e) {
      if (isGnnopsError(e) && e.code === ErrorCodes.CONFLICT) return loseSweep(e.message);
      throw e;
    }
    if (config === null) {
      await settle(index, lease, params, {
        status: 'failed',
        metrics: {},
        value: null,
        epochs: 0,
        error: invalid ?? '',
      });
      return;
    }
    const task: TrialTask = {
      sweepId,
      index,
      trialId: `${sweepId}-${index}`,
      attempt,
      params,
      config,
      metric,
      hyperband: spec.early_terminate ? { brackets, eta: spec.early_terminate.eta } : undefined,
    };
    hb?.reset(index);
    emit({ type: 'trial-start', index, attempt, params });
    let n = 0;
    // Epochs are observed at once (a trial on this thread asks the band table between epochs, before any write
    // could finish) and stored in order; the result is recorded after the last of them.
    let curve: Promise<void> = Promise.resolve();
    const p = opts.executor
      .run(task, {
        onEpoch(step, metrics) {
          n++;
          const v = metric ? metrics[metric.name] : undefined;
          if (metric && typeof v === 'number' && Number.isFinite(v)) {
            hb?.observe(index, toLoss(v, metric.goal));
            const k = n;
            curve = curve
              .then(() => sweeps.appendCurve(sweepId, index, lease, k, step, v))
              .then(
                (ok) => {
                  if (!ok) loseSweep(`an epoch of trial ${index} was refused: a newer attempt owns it`);
                },
                (e: unknown) => log.warn({ sweep: sweepId, trial: index, err: e }, 'could not store an epoch'),
              );
          }
          emit({ type: 'epoch', index, step, value: v });
        },
        bandTable: () => (hb ? hb.table() : {}),
        signal,
      })
      .catch(
        (e: unknown): TrialOutcome => ({
          status: 'failed',
          metrics: {},
          value: null,
          epochs: n,
          error: e instanceof Error ? e.message : String(e),
        }),
      )
      .then(async (outcome) => {
        await curve;
        await settle(index, lease, params, outcome);
      })
      .finally(() => active.delete(index));
    active.set(index, p);
  };

  for (;;) {
    while (active.size < opts.executor.slots && !signal.aborted && !targetReached && fatal === null) {
      const t = redo.shift();
      if (t) {
        await launch(t.index, t.attempt + 1, t.params);
        continue;
      }
      if (next >= cap) break;
      const params = searcher.suggest(next, history);
      if (params === null) {
        cap = next;
        break;
      }
      await launch(next++, 1, params);
    }
    if (active.size === 0) break;
    await Promise.race(active.values());
  }
  const superseded = () =>
    new GnnopsError(ErrorCodes.CONFLICT, `sweep ${sweepId} stopped here: ${lost ?? 'another process took it over'}`, {
      sweep: sweepId,
    });
  if (lost !== null) throw superseded();
  if (fatal !== null) {
    await sweeps.setStatus(sweepId, 'stopped', owner);
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `sweep ${sweepId} stopped: ${fatal}`, { sweep: sweepId });
  }
  const trials = await sweeps.trials(sweepId);
  const unfinished = trials.some((t) => t.status === 'running' || t.status === 'interrupted');
  const status = opts.signal?.aborted || unfinished ? 'stopped' : 'finished';
  if (!(await sweeps.setStatus(sweepId, status, owner))) throw superseded();
  const sweep = await sweeps.get(sweepId);
  return { sweep, trials, best: bestTrial(sweep, trials) };
}

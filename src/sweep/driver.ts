import { ErrorCodes, GnnopsError, isGnnopsError } from '../util/errors.js';
import { type BandTable, hyperbandDecide } from './hyperband.js';
import type { EpochDecision, TrialContext, TrialFn, TrialOutcome, TrialTask } from './types.js';

/** How a running trial talks to whoever coordinates the sweep (same process, parent process, or Redis). */
export interface TrialIo {
  /** Every epoch report, forwarded (the coordinator records curves and feeds Hyperband). */
  onEpoch(step: number, metrics: Record<string, number>): void;
  /** The latest known values of other trials at each bracket (may lag a little across processes). */
  bandTable(): BandTable;
  /** Aborts the trial from outside (sweep shutting down). */
  signal?: AbortSignal;
  worker?: string;
}

/** Goal-adjusted loss: lower is better. */
export function toLoss(value: number, goal: 'maximize' | 'minimize'): number {
  return goal === 'maximize' ? -value : value;
}

/**
 * Run one trial: build its context, judge Hyperband on every report (locally, from the trial's own history and
 * the latest bracket table), and turn the result or error into a TrialOutcome. Never throws.
 */
export async function driveTrial(fn: TrialFn, task: TrialTask, io: TrialIo): Promise<TrialOutcome> {
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(io.signal?.reason ?? new Error('sweep shutting down'));
  if (io.signal?.aborted) onOuterAbort();
  io.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const own: number[] = [];
  let epochs = 0;
  let last: Record<string, number> = {};
  let stoppedAt: number | undefined;
  const metric = task.metric;
  const ctx: TrialContext = {
    trialId: task.trialId,
    sweepId: task.sweepId,
    trialIndex: task.index,
    params: task.params,
    signal: ac.signal,
    reportEpoch(step, metrics): EpochDecision {
      if (stoppedAt !== undefined || ac.signal.aborted) return 'stop';
      epochs++;
      last = { ...metrics };
      io.onEpoch(step, metrics);
      const v = metric ? metrics[metric.name] : undefined;
      if (metric && task.hyperband && typeof v === 'number' && Number.isFinite(v)) {
        own.push(toLoss(v, metric.goal));
        const d = hyperbandDecide(task.hyperband.brackets, task.hyperband.eta, task.index, own, io.bandTable());
        if (d.stop) {
          stoppedAt = d.band;
          ac.abort(new Error(`stopped by hyperband at bracket ${d.band}`));
          return 'stop';
        }
      }
      return 'continue';
    },
  };
  const metricValue = (metrics: Record<string, number>): number | null => {
    if (!metric) return null;
    const v = metrics[metric.name] ?? last[metric.name];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  try {
    const res = await fn(task.config, ctx);
    const metrics = { ...res.metrics };
    const value = metricValue(metrics);
    const out: TrialOutcome = {
      status: stoppedAt !== undefined ? 'stopped' : 'finished',
      metrics,
      value,
      runId: res.runId,
      epochs,
      stoppedAt,
      worker: io.worker,
    };
    if (metric && value === null) {
      out.error = `metric "${metric.name}" was not reported; got: ${Object.keys({ ...last, ...metrics }).join(', ') || 'nothing'}`;
    }
    return out;
  } catch (e) {
    if (stoppedAt !== undefined) {
      // The trainer threw on abort after a Hyperband stop: that is still a stop, with the last epoch's metrics.
      return { status: 'stopped', metrics: last, value: metricValue(last), epochs, stoppedAt, worker: io.worker };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const fatal = isGnnopsError(e) && e.details?.fatal === true;
    return { status: 'failed', metrics: last, value: null, error: err.message, epochs, worker: io.worker, fatal };
  } finally {
    io.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Import a trial module and return its TrialFn (`default` or `trial` export). */
export async function loadTrialFn(specifier: string): Promise<TrialFn> {
  let mod: { default?: unknown; trial?: unknown };
  try {
    mod = (await import(specifier)) as { default?: unknown; trial?: unknown };
  } catch (e) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `cannot load trial module ${specifier}: ${(e as Error).message}`, {
      module: specifier,
      fatal: true,
    });
  }
  const fn = typeof mod.trial === 'function' ? mod.trial : mod.default;
  if (typeof fn !== 'function') {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `trial module ${specifier} exports no TrialFn (export it as "trial" or default)`,
      { module: specifier, fatal: true },
    );
  }
  return fn as TrialFn;
}

import type { SqlDb } from '../db/index.js';

/**
 * How much of the request log to keep (serve.log_retention_rows, serve.log_retention_hours). 0 turns a limit off.
 * "Oldest" means first committed (lowest id) for the row limit, which is also the order the drift windows read
 * ("the last N rows", readRequestLog), and oldest `ts` for the age limit.
 */
export interface RetentionPolicy {
  /** Keep at most this many newest rows (0 = no row limit). */
  maxRows: number;
  /** Delete rows whose ts is more than this many ms before now (0 = no age limit). */
  maxAgeMs: number;
}

/**
 * Rows one DELETE removes at most (default): one short transaction, so the write lock is never held long (about
 * 6 ms for 500 rows of 24 KB sampled features on the 2-core bench machine: bench/request-log-retention.ts).
 */
export const DEFAULT_PRUNE_CHUNK_ROWS = 500;

export interface PruneStep {
  /** Rows this step deleted for the row limit and for the age limit. */
  byRows: number;
  byAge: number;
  /** True when rows over a limit may remain (the step hit its chunk size). */
  more: boolean;
}

export interface PruneTotals {
  byRows: number;
  byAge: number;
  /** DELETE statements run (each its own transaction). */
  chunks: number;
}

/** A retention policy as config gives it (serve.log_retention_rows, serve.log_retention_hours). */
export function retentionPolicy(rows: number, hours: number): RetentionPolicy {
  return { maxRows: rows, maxAgeMs: hours * 3_600_000 };
}

export function retentionEnabled(p: RetentionPolicy): boolean {
  return p.maxRows > 0 || p.maxAgeMs > 0;
}

/**
 * Deletes request-log rows over a retention policy, oldest first, at most `chunkRows` per DELETE, on either backend.
 *
 * The row limit costs O(log n) per step whatever the table size: ids are assigned increasing (SQLite's rowid is
 * max + 1, PostgreSQL's identity draws from a sequence) and pruning removes a prefix, so the rows beyond the limit
 * are exactly those with id ≤ max(id) − maxRows (counting with COUNT(*) would scan an index of every row). Should ids
 * have gaps (rows deleted by hand, an age prune that took a few rows out of id order, sequence values PostgreSQL
 * skipped), fewer than maxRows rows remain, never more. The age limit walks the ts index.
 *
 * Each step is one transaction under the lock key `request-log:retention`: with several replicas on one PostgreSQL
 * database, each replica's writer prunes and they take turns instead of deleting the same rows at once.
 */
export class RequestLogPruner {
  readonly chunkRows: number;

  constructor(
    private readonly db: SqlDb,
    readonly policy: RetentionPolicy,
    opts: { chunkRows?: number } = {},
  ) {
    this.chunkRows = Math.max(1, Math.floor(opts.chunkRows ?? DEFAULT_PRUNE_CHUNK_ROWS));
  }

  /** One bounded DELETE: the age limit first (its rows are the oldest), else the row limit. */
  step(now = Date.now()): Promise<PruneStep> {
    return this.db.transaction(async (tx) => {
      await tx.lockKey('request-log:retention');
      if (this.policy.maxAgeMs > 0) {
        const n = await tx.run(
          'DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE ts < $1 ORDER BY ts LIMIT $2)',
          [now - this.policy.maxAgeMs, this.chunkRows],
        );
        if (n > 0) return { byRows: 0, byAge: n, more: n === this.chunkRows || this.policy.maxRows > 0 };
      }
      if (this.policy.maxRows > 0) {
        // one subquery per bound: SQLite answers a lone min() or max() from the key, but scans the whole table for
        // both in one SELECT
        const [b] = await tx.query<{ lo: number | null; hi: number | null }>(
          'SELECT (SELECT min(id) FROM request_log) AS lo, (SELECT max(id) FROM request_log) AS hi',
        );
        if (b?.hi == null || b.lo == null) return { byRows: 0, byAge: 0, more: false };
        const cutoff = b.hi - this.policy.maxRows; // rows with id ≤ cutoff are beyond the limit
        if (cutoff < b.lo) return { byRows: 0, byAge: 0, more: false };
        const upTo = Math.min(cutoff, b.lo + this.chunkRows - 1);
        const n = await tx.run('DELETE FROM request_log WHERE id <= $1', [upTo]);
        return { byRows: n, byAge: 0, more: upTo < cutoff };
      }
      return { byRows: 0, byAge: 0, more: false };
    });
  }

  /** Steps until nothing is over the limits (the CLI; the server spreads steps out with RetentionScheduler). */
  async pruneAll(now = Date.now()): Promise<PruneTotals> {
    const t: PruneTotals = { byRows: 0, byAge: 0, chunks: 0 };
    for (;;) {
      const s = await this.step(now);
      if (s.byRows + s.byAge > 0) t.chunks++;
      t.byRows += s.byRows;
      t.byAge += s.byAge;
      if (!s.more) return t;
    }
  }
}

export interface RetentionSchedulerOptions {
  /** Time between timer checks when nothing is over the limits (default 5,000 ms). */
  intervalMs?: number;
  /** Time between timer steps while catching up on a backlog (default 10 ms: queued batch writes run in between). */
  backlogMs?: number;
  /** Called with the rows each deleting step removed. */
  onPrune?: (n: number) => void;
  /** Called when a step fails (e.g. the database stayed locked); the next timer check comes after intervalMs. */
  onError?: (e: Error) => void;
}

/**
 * Runs a pruner off the request path, in the request-log writer thread: one bounded step after every committed
 * batch (a check within the limits costs microseconds; in the steady state it deletes about as many rows as the
 * batch added, so the work stays as even as the inserts) and one on a timer, every `intervalMs`, so an idle
 * server still ages rows out, or every `backlogMs` while a large backlog remains (e.g. the limit was just lowered
 * on a big log), instead of one long DELETE.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The timer is set at backlogMs (so afterCommit need not move it). */
  private catchingUp = false;
  readonly intervalMs: number;
  readonly backlogMs: number;

  constructor(
    private readonly pruner: Pick<RequestLogPruner, 'step'>,
    private readonly opts: RetentionSchedulerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 5000;
    this.backlogMs = opts.backlogMs ?? 10;
  }

  /** First timer check right away (a log over the limits at startup starts shrinking at once). */
  start(): void {
    this.schedule(0);
  }

  /**
   * One step now (call after a batch committed, once its reply is sent); true if more remains, in which case the
   * timer continues at backlogMs (a burst larger than one chunk per commit is caught up between batches). A step
   * already running (on PostgreSQL a step is a round trip) makes this one a no-op.
   */
  async afterCommit(): Promise<boolean> {
    // while catching up, the paced timer does the work: a step per commit too would starve the writes
    if (this.catchingUp) return true;
    if (this.running) return false;
    const more = await this.runStep();
    if (more && !this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      this.schedule(this.backlogMs);
    }
    return more;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Duration of the last step (ms): backlog steps are paced to at most a quarter of the thread's time. */
  private lastStepMs = 0;
  private running = false;

  private async runStep(): Promise<boolean> {
    if (this.stopped || this.running) return false;
    this.running = true;
    const t0 = performance.now();
    try {
      const s = await this.pruner.step();
      this.lastStepMs = performance.now() - t0;
      const n = s.byRows + s.byAge;
      if (n > 0) this.opts.onPrune?.(n);
      return s.more;
    } catch (e) {
      this.opts.onError?.(e as Error);
      return false;
    } finally {
      this.running = false;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.catchingUp = ms !== this.intervalMs && ms > 0;
    this.timer = setTimeout(
      // a backlog step that took d ms waits max(backlogMs, 3d): batch writes keep ≥ 3/4 of the thread (a server that
      // starts on a log far over the limit, e.g. 4 M rows of 24 KB, otherwise fell behind and shed log rows)
      () => {
        // a step after a commit is running: look again soon rather than skip a whole interval
        if (this.running) return this.schedule(this.backlogMs);
        void this.runStep().then((more) =>
          this.schedule(more ? Math.max(this.backlogMs, 3 * this.lastStepMs) : this.intervalMs),
        );
      },
      ms,
    );
    this.timer.unref();
  }
}

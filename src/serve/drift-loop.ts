import type { Lease, SqlDb } from '../db/index.js';
import { type CheckSnapshot, checkRecord, latestDriftCheck, recordDriftCheck } from '../monitor/drift-history.js';
import { log } from '../util/logger.js';
import type { DriftGauges, ServeMetrics } from './metrics.js';

/** A drift check's result: the gauge values plus whatever summary the monitor returns (served by GET /v1/drift). */
export type DriftSnapshot = DriftGauges & object;

/** Which request-log rows a check reads: every replica's (the default) or one replica's. */
export interface DriftCheckOptions {
  replica?: string;
}

/** Computes drift over the current request-log window (provided by src/monitor, wired by the caller). */
export type DriftCheck = (opts?: DriftCheckOptions) => Promise<DriftSnapshot>;

/** The lease that makes the scheduled check run once per deployment, whatever the number of servers. */
export const DRIFT_CHECK_LEASE = 'drift-check';

/**
 * How a server takes part in the deployment's one scheduled drift check: it competes for the `drift-check` lease
 * on the shared store (a PostgreSQL advisory lock, or a lease row in SQLite), the holder runs the check and stores
 * each result in the drift-check history, and the others publish the newest stored result as their gauges.
 */
export interface DriftCoordination {
  db: SqlDb;
  /** This server's name (serve.replica), stored as the leader of the checks it runs. */
  replica: string;
  /** The served version the check compares with, stored with each check. */
  served: () => { model: string; version: string } | undefined;
}

/**
 * Runs the drift check every `intervalMs` and publishes the gauges. Checks never overlap; a failing check is
 * logged and leaves the gauges at their last values. With coordination, only the lease holder runs the scheduled
 * check and records it; `runOnce` (GET /v1/drift) computes a fresh one on any server.
 */
export class DriftLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DriftSnapshot | undefined> | undefined;
  private ticking: Promise<void> | undefined;
  private lease: Lease | undefined;
  /** Consecutive failures to reach the store for the lease, to warn once per outage rather than every tick. */
  private storeFailures = 0;
  last: DriftSnapshot | undefined;
  lastAt: Date | undefined;
  /** Whether this server ran the last scheduled check (held the lease). */
  leader = false;
  private intervalMs = 0;
  /** When this server's last scheduled check finished (ms). */
  private lastScheduled = 0;

  constructor(
    private readonly check: DriftCheck,
    private readonly metrics: ServeMetrics,
    private readonly coordination?: DriftCoordination,
  ) {}

  start(intervalMs: number): void {
    this.stop();
    this.intervalMs = intervalMs;
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Run a check now (joins one already running). With a replica filter the check reads only that replica's rows
   * and the gauges are left alone (they describe the whole deployment).
   */
  runOnce(opts: DriftCheckOptions = {}): Promise<DriftSnapshot | undefined> {
    if (opts.replica !== undefined)
      return this.check(opts).catch((e: unknown) => {
        log.warn({ err: e, replica: opts.replica }, 'drift check of one replica failed');
        return undefined;
      });
    if (this.running) return this.running;
    this.running = this.check()
      .then((snap) => {
        this.metrics.setDrift(snap);
        this.last = snap;
        this.lastAt = new Date();
        return snap;
      })
      .catch((e: unknown) => {
        log.warn({ err: e }, 'drift check failed; gauges keep their last values');
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One scheduled check: run and record it when this server holds the lease, else mirror the stored one. */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    // a check that overran the interval is followed at once by the timer's queued tick: skip that one, so checks
    // stay about one interval apart
    if (Date.now() - this.lastScheduled < this.intervalMs / 2) return;
    const c = this.coordination;
    if (!c) {
      await this.runOnce();
      this.lastScheduled = Date.now();
      return;
    }
    let leader: boolean;
    try {
      if (!this.lease?.held()) this.lease = (await c.db.tryLease(DRIFT_CHECK_LEASE)) ?? undefined;
      leader = this.lease !== undefined;
      this.storeFailures = 0;
    } catch (e) {
      if (this.storeFailures++ === 0)
        log.warn({ err: e }, 'drift check: the store is unreachable; skipping scheduled checks until it is back');
      return;
    }
    if (leader !== this.leader)
      log.info(
        { replica: c.replica },
        leader
          ? 'drift check: this server holds the drift-check lease and runs the scheduled check'
          : 'drift check: another server runs the scheduled check',
      );
    this.leader = leader;
    if (!leader) {
      await this.mirror(c.db);
      return;
    }
    const snap = await this.runOnce();
    this.lastScheduled = Date.now();
    log.debug({ replica: c.replica, ok: snap !== undefined }, 'drift check: scheduled check ran');
    if (!snap || !this.lease?.held()) return;
    try {
      await recordDriftCheck(
        c.db,
        checkRecord(snap as CheckSnapshot, { ts: Date.now(), leader: c.replica, served: c.served() }),
      );
    } catch (e) {
      log.warn({ err: e }, 'drift check: could not store the result in the drift history');
    }
  }

  /** A follower's gauges: the newest check the leader stored, when it is newer than what this server has. */
  private async mirror(db: SqlDb): Promise<void> {
    try {
      const rec = await latestDriftCheck(db);
      if (!rec || (this.lastAt && rec.ts <= this.lastAt.getTime())) return;
      const snap = rec.summary as DriftSnapshot;
      this.metrics.setDrift(snap);
      this.last = snap;
      this.lastAt = new Date(rec.ts);
    } catch (e) {
      log.debug({ err: e }, 'drift check: could not read the stored history');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Wait for a check in progress (shutdown). */
  async idle(): Promise<void> {
    await this.ticking;
    await this.running;
  }

  /** Stop, wait for a check in progress and hand the lease back, so another server takes over at its next tick. */
  async close(): Promise<void> {
    this.stop();
    await this.idle();
    const l = this.lease;
    this.lease = undefined;
    this.leader = false;
    await l?.release().catch(() => undefined);
  }
}

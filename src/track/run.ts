import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { type DatabaseTarget, insertRow, type SqlDb, SqliteDb, type SqlValue } from '../db/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import { moduleWorker } from '../util/worker.js';
import type { ArtifactStore } from './cas.js';
import { artifactEntity, paramEntity, tagEntity } from './entities.js';
import { trackActive, untrackActive } from './signals.js';
import type { ArtifactRecord, EndStatus, ParamValue, RunStatus } from './types.js';

export interface RunTuning {
  /** Flush buffered metrics once this many points are waiting (default 200). */
  flushEvery: number;
  /** …or when the oldest waiting point is this old (default 1000 ms). */
  flushMs: number;
  /** Heartbeat period; the heartbeat tells `openStore()` on another host that the run is alive (default 15 s). */
  heartbeatMs: number;
  /** Mark the run killed on SIGINT/SIGTERM and failed on an exit without end() (default true). */
  handleSignals: boolean;
}

export const defaultRunTuning: RunTuning = Object.freeze({
  flushEvery: 200,
  flushMs: 1000,
  heartbeatMs: 15_000,
  handleSignals: true,
});

const KEY_MAX = 250;
const END_STATUSES: readonly EndStatus[] = ['finished', 'failed', 'killed'];

function checkKey(kind: string, key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > KEY_MAX) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${kind} key ${JSON.stringify(key)} must be a non-empty string of at most ${KEY_MAX} characters`,
      { kind, key },
    );
  }
}

export function encodeParam(v: ParamValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Rows per multi-row INSERT of metric points: well under both backends' limit on statement parameters. */
const METRIC_ROWS_PER_INSERT = 100;

function metricInsert(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const b = i * 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
  });
  return `INSERT INTO metrics (run_id, key, step, value, timestamp) VALUES ${rows.join(', ')}`;
}

interface Points {
  keys: string[];
  steps: number[];
  values: (number | null)[];
  times: number[];
}

/** The statements that write a batch of points and the heartbeat, shared by the queued and the immediate path. */
function flushStatements(runId: string, p: Points, now: number): [string, SqlValue[]][] {
  const out: [string, SqlValue[]][] = [];
  for (let start = 0; start < p.keys.length; start += METRIC_ROWS_PER_INSERT) {
    const end = Math.min(start + METRIC_ROWS_PER_INSERT, p.keys.length);
    const params: SqlValue[] = [];
    for (let i = start; i < end; i++) params.push(runId, p.keys[i]!, p.steps[i]!, p.values[i]!, p.times[i]!);
    out.push([metricInsert(end - start), params]);
  }
  out.push(['UPDATE runs SET heartbeat_at = $1 WHERE id = $2', [now, runId]]);
  return out;
}

/**
 * A live run. Metrics are buffered in memory and written in one transaction when `flushEvery` points are
 * waiting, when the oldest is `flushMs` old (checked on each log call and by a timer), and on `end()`; logging a
 * metric never waits for the store. With the embedded SQLite store the batch is written at once on the
 * process's connection, so a synchronous training loop's curves are visible to other processes while it runs;
 * with PostgreSQL it is queued and sent when the event loop runs (at the latest by `end()`), and the heartbeat is
 * kept by a thread of its own, so a loop that blocks its thread for hours is not taken for a crash elsewhere.
 * Params, tags and artifacts are written immediately (they are rare). Every method throws CONFLICT once the
 * run has ended.
 */
export class Run {
  readonly id: string;
  readonly name: string;
  readonly experiment: string;
  #status: RunStatus = 'running';
  readonly #db: SqlDb;
  readonly #cas: ArtifactStore;
  readonly #tuning: RunTuning;
  // Parallel arrays: cheaper than an object per point in a hot loop.
  #points: Points = { keys: [], steps: [], values: [], times: [] };
  #oldest = 0;
  #nextStep = new Map<string, number>();
  #lastBeat = Date.now();
  #timer: NodeJS.Timeout;
  /** The queued write in progress; later flushes chain after it so batches land in logging order. */
  #writing: Promise<void> = Promise.resolve();
  #queued = 0;
  #closing = false;
  #heart: Worker | null = null;

  /**
   * @internal Created by `Tracker.startRun`. `heartbeat`: where the store is, for the heartbeat thread a remote
   * store gets.
   */
  constructor(
    db: SqlDb,
    cas: ArtifactStore,
    info: { id: string; name: string; experiment: string },
    tuning: RunTuning,
    heartbeat?: DatabaseTarget,
  ) {
    this.#db = db;
    this.#cas = cas;
    this.id = info.id;
    this.name = info.name;
    this.experiment = info.experiment;
    this.#tuning = tuning;
    const period = Math.max(50, Math.min(tuning.flushMs || tuning.heartbeatMs, tuning.heartbeatMs));
    this.#timer = setInterval(() => this.#tick(), period);
    this.#timer.unref();
    if (heartbeat && !(db instanceof SqliteDb)) {
      const w = moduleWorker('heartbeat-thread', import.meta.url, {
        target: heartbeat,
        runId: this.id,
        periodMs: tuning.heartbeatMs,
      });
      w.unref();
      w.on('error', (e) => log.warn({ err: e, run: this.id }, 'the heartbeat thread failed; the run beats on flushes'));
      this.#heart = w;
    }
    trackActive(this, tuning.handleSignals);
  }

  #stopHeartbeat(): void {
    void this.#heart?.terminate();
    this.#heart = null;
  }

  get status(): RunStatus {
    return this.#status;
  }

  /** Points waiting in the buffer. */
  get pending(): number {
    return this.#points.keys.length;
  }

  logParam(key: string, value: ParamValue): Promise<void> {
    return this.logParams({ [key]: value });
  }

  /** Params are write-once, as in MLflow: logging the same value again is fine, a different one is CONFLICT. */
  async logParams(params: Record<string, ParamValue>): Promise<void> {
    this.#assertLive();
    const entries = Object.entries(params).map(([k, v]) => {
      checkKey('param', k);
      return [k, encodeParam(v)] as const;
    });
    await this.#db.transaction(async (tx) => {
      for (const [k, value] of entries) {
        const found = await tx.query('SELECT * FROM params WHERE run_id = $1 AND key = $2', [this.id, k]);
        const old = found.length === 0 ? undefined : paramEntity.fromRow(found[0]);
        if (old && old.value !== value) {
          throw new GnnopsError(
            ErrorCodes.CONFLICT,
            `param "${k}" of run ${this.id} is already ${JSON.stringify(old.value)}; params cannot change (got ${JSON.stringify(value)})`,
            { key: k, old: old.value, value },
          );
        }
        await insertRow(tx, paramEntity.table, paramEntity.toRow({ runId: this.id, key: k, value }), {
          onConflict: 'ignore',
        });
      }
    });
  }

  /**
   * Record one point of the series `key`. `step` defaults to one more than the key's last step (0 first).
   * `value` may be NaN (stored as NULL) or ±Infinity.
   */
  logMetric(key: string, value: number, step?: number, timestamp: number = Date.now()): void {
    this.#assertLive();
    if (typeof value !== 'number') {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `metric "${key}": value ${JSON.stringify(value)} is not a number`,
        {
          key,
        },
      );
    }
    if (!this.#nextStep.has(key)) checkKey('metric', key);
    const s = step ?? this.#nextStep.get(key) ?? 0;
    if (!Number.isSafeInteger(s)) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `metric "${key}": step ${s} is not an integer`, {
        key,
        step: s,
      });
    }
    this.#nextStep.set(key, s + 1);
    const p = this.#points;
    if (p.keys.length === 0) this.#oldest = timestamp;
    p.keys.push(key);
    p.steps.push(s);
    p.values.push(Number.isNaN(value) ? null : value);
    p.times.push(timestamp);
    if (p.keys.length >= this.#tuning.flushEvery || timestamp - this.#oldest >= this.#tuning.flushMs) {
      this.#startFlush();
    }
  }

  /** Record several metrics at the same step (same default step rule per key). */
  logMetrics(metrics: Record<string, number>, step?: number): void {
    const now = Date.now();
    for (const [k, v] of Object.entries(metrics)) this.logMetric(k, v, step, now);
  }

  /**
   * Write buffered metrics now, in one transaction (also refreshes the heartbeat); resolves once every point
   * logged so far is committed.
   */
  flush(): Promise<void> {
    this.#startFlush();
    return this.#queued === 0 ? Promise.resolve() : this.#writing;
  }

  setTag(key: string, value: string): Promise<void> {
    return this.setTags({ [key]: value });
  }

  /** Tags are mutable labels; a later value replaces an earlier one. */
  async setTags(tags: Record<string, string>): Promise<void> {
    this.#assertLive();
    const rows = Object.entries(tags).map(([k, v]) => {
      checkKey('tag', k);
      return tagEntity.toRow({ runId: this.id, key: k, value: String(v) });
    });
    await this.#db.transaction(async (tx) => {
      for (const row of rows) await insertRow(tx, tagEntity.table, row, { onConflict: { update: ['run_id', 'key'] } });
    });
  }

  /**
   * Store an artifact in the content-addressed folder and attach it to the run under `name` (re-logging a name
   * points it at the new blob). `source` is the content (Uint8Array/Buffer) or a path to a file on disk.
   * `kind`: checkpoint | chart | report | profile | … (free text).
   */
  async logArtifact(name: string, source: Uint8Array | string, kind = 'other'): Promise<ArtifactRecord> {
    this.#assertLive();
    checkKey('artifact', name);
    if (typeof source === 'string' && !existsSync(source)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `artifact "${name}": file not found: ${source}`, {
        name,
        path: source,
      });
    }
    const blob = typeof source === 'string' ? this.#cas.putFile(source) : this.#cas.putBytes(source);
    const stored = { name, digest: blob.digest, size: blob.size, kind, createdAt: Date.now() };
    await insertRow(
      this.#db,
      artifactEntity.table,
      { run_id: this.id, ...artifactEntity.toRow(stored) },
      { onConflict: { update: ['run_id', 'name'] } },
    );
    return { ...stored, path: blob.path };
  }

  /** Flush and close the run. Idempotent: ending an ended run does nothing. */
  async end(status: EndStatus = 'finished', reason?: string): Promise<void> {
    if (this.#status !== 'running' || this.#closing) return;
    if (!END_STATUSES.includes(status)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `run status "${status}" must be one of ${END_STATUSES.join(', ')}`,
        {
          status,
        },
      );
    }
    this.#closing = true;
    clearInterval(this.#timer);
    this.#stopHeartbeat();
    untrackActive(this);
    try {
      await this.flush();
      // A batch that failed in the background is back in the buffer: one more try before giving up.
      if (this.pending > 0) await this.flush();
    } finally {
      const now = Date.now();
      await this.#db.run(
        'UPDATE runs SET status = $1, status_reason = $2, end_time = $3, heartbeat_at = $4 WHERE id = $5',
        [status, reason ?? null, now, now, this.id],
      );
      this.#status = status;
    }
  }

  /**
   * @internal Called by the signal/exit hooks. Never throws (the process is going down). An exit handler cannot
   * wait, so with SQLite the run is closed synchronously; otherwise the returned promise ends it (a process that
   * exits before it settles leaves the run to recovery, which finds its pid gone).
   */
  endFromSignal(status: 'killed' | 'failed', reason: string): Promise<void> | undefined {
    if (this.#status !== 'running' || this.#closing) return undefined;
    const now = Date.now();
    const points = this.#take();
    const closed = this.#writeNow([
      ...(points ? flushStatements(this.id, points, now) : []),
      [
        'UPDATE runs SET status = $1, status_reason = $2, end_time = $3, heartbeat_at = $4 WHERE id = $5',
        [status, reason, now, now, this.id],
      ],
    ]);
    if (closed) {
      this.#closing = true;
      clearInterval(this.#timer);
      this.#stopHeartbeat();
      untrackActive(this);
      this.#status = status;
      return undefined;
    }
    if (points) this.#restore(points);
    return this.end(status, reason).catch((e) =>
      log.error({ err: e, run: this.id }, 'could not mark the run as ended'),
    );
  }

  /** Detach the buffered points (null when there are none). */
  #take(): Points | null {
    if (this.#points.keys.length === 0) return null;
    const p = this.#points;
    this.#points = { keys: [], steps: [], values: [], times: [] };
    return p;
  }

  /** Put points whose write failed back in front of those logged since. */
  #restore(p: Points): void {
    const cur = this.#points;
    this.#points = {
      keys: [...p.keys, ...cur.keys],
      steps: [...p.steps, ...cur.steps],
      values: [...p.values, ...cur.values],
      times: [...p.times, ...cur.times],
    };
    this.#oldest = p.times[0] ?? this.#oldest;
  }

  /** Write statements synchronously when the store allows it (SQLite, no transaction open); false otherwise. */
  #writeNow(statements: [string, SqlValue[]][]): boolean {
    const db = this.#db;
    if (!(db instanceof SqliteDb)) return false;
    try {
      return db.writeNow((ex) => {
        for (const [sql, params] of statements) ex.run(sql, params);
      });
    } catch (e) {
      log.warn({ err: e, run: this.id }, 'metric flush failed; will retry');
      return false;
    }
  }

  /** Start writing the buffered points: at once where the store allows it, else queued after earlier writes. */
  #startFlush(): void {
    if (this.#points.keys.length === 0) return;
    const now = Date.now();
    const points = this.#take()!;
    const statements = flushStatements(this.id, points, now);
    // With writes still queued, an immediate one would commit its points before theirs.
    if (this.#queued === 0 && this.#writeNow(statements)) {
      this.#lastBeat = now;
      return;
    }
    this.#queued++;
    const next = this.#writing
      .catch(() => undefined)
      .then(() =>
        this.#db.transaction(async (tx) => {
          for (const [sql, params] of statements) await tx.run(sql, params);
        }),
      )
      .then(
        () => {
          this.#lastBeat = now;
        },
        (e: unknown) => {
          this.#restore(points);
          throw e;
        },
      )
      .finally(() => {
        this.#queued--;
      });
    this.#writing = next;
    // A failed batch goes back to the buffer for the next flush; end() reports a failure that persists.
    next.catch((e) => log.warn({ err: e, run: this.id }, 'metric flush failed; will retry'));
  }

  #tick(): void {
    if (this.#status !== 'running' || this.#closing) return;
    const now = Date.now();
    if (this.#points.keys.length > 0 && now - this.#oldest >= this.#tuning.flushMs) this.#startFlush();
    else if (!this.#heart && now - this.#lastBeat >= this.#tuning.heartbeatMs) {
      this.#lastBeat = now;
      this.#db
        .run('UPDATE runs SET heartbeat_at = $1 WHERE id = $2', [now, this.id])
        .catch((e) => log.warn({ err: e, run: this.id }, 'heartbeat failed; will retry'));
    }
  }

  #assertLive(): void {
    if (this.#status !== 'running' || this.#closing) {
      throw new GnnopsError(ErrorCodes.CONFLICT, `run ${this.id} has already ended (${this.#status})`, {
        run: this.id,
        status: this.#status,
      });
    }
  }
}

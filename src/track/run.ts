import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import type { ArtifactStore } from './cas.js';
import { artifactEntity, paramEntity, tagEntity } from './entities.js';
import { trackActive, untrackActive } from './signals.js';
import { insertRow } from './sql.js';
import type { ArtifactRecord, EndStatus, ParamValue, RunStatus } from './types.js';

export interface RunTuning {
  /** Flush buffered metrics once this many points are waiting (default 200). */
  flushEvery: number;
  /** …or when the oldest waiting point is this old (default 1000 ms). */
  flushMs: number;
  /** Heartbeat period; the heartbeat tells `openStore()` the run is alive (default 15 s). */
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

/**
 * A live run. Metrics are buffered in memory and written in one transaction when `flushEvery` points are
 * waiting, when the oldest is `flushMs` old (checked on each log call and by a timer), and on `end()`.
 * Params, tags and artifacts are written immediately (they are rare). Every method throws CONFLICT once the
 * run has ended.
 */
export class Run {
  readonly id: string;
  readonly name: string;
  readonly experiment: string;
  #status: RunStatus = 'running';
  readonly #db: Database.Database;
  readonly #cas: ArtifactStore;
  readonly #tuning: RunTuning;
  // Parallel arrays: cheaper than an object per point in a hot loop.
  #keys: string[] = [];
  #steps: number[] = [];
  #values: (number | null)[] = [];
  #times: number[] = [];
  #oldest = 0;
  #nextStep = new Map<string, number>();
  #lastBeat = Date.now();
  #timer: NodeJS.Timeout;
  readonly #insertMetric: Database.Statement;
  readonly #beat: Database.Statement;

  /** @internal Created by `Tracker.startRun`. */
  constructor(
    db: Database.Database,
    cas: ArtifactStore,
    info: { id: string; name: string; experiment: string },
    tuning: RunTuning,
  ) {
    this.#db = db;
    this.#cas = cas;
    this.id = info.id;
    this.name = info.name;
    this.experiment = info.experiment;
    this.#tuning = tuning;
    this.#insertMetric = db.prepare('INSERT INTO metrics (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)');
    this.#beat = db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
    const period = Math.max(50, Math.min(tuning.flushMs || tuning.heartbeatMs, tuning.heartbeatMs));
    this.#timer = setInterval(() => this.#tick(), period);
    this.#timer.unref();
    trackActive(this, tuning.handleSignals);
  }

  get status(): RunStatus {
    return this.#status;
  }

  /** Points waiting in the buffer. */
  get pending(): number {
    return this.#keys.length;
  }

  logParam(key: string, value: ParamValue): void {
    this.logParams({ [key]: value });
  }

  /** Params are write-once, as in MLflow: logging the same value again is fine, a different one is CONFLICT. */
  logParams(params: Record<string, ParamValue>): void {
    this.#assertLive();
    const get = this.#db.prepare<[string, string], unknown>('SELECT * FROM params WHERE run_id = ? AND key = ?');
    this.#db.transaction(() => {
      for (const [k, v] of Object.entries(params)) {
        checkKey('param', k);
        const value = encodeParam(v);
        const found = get.get(this.id, k);
        const old = found === undefined ? undefined : paramEntity.fromRow(found);
        if (old && old.value !== value) {
          throw new GnnopsError(
            ErrorCodes.CONFLICT,
            `param "${k}" of run ${this.id} is already ${JSON.stringify(old.value)}; params cannot change (got ${JSON.stringify(value)})`,
            { key: k, old: old.value, value },
          );
        }
        insertRow(this.#db, paramEntity.table, paramEntity.toRow({ runId: this.id, key: k, value }), {
          onConflict: 'ignore',
        });
      }
    })();
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
    if (this.#keys.length === 0) this.#oldest = timestamp;
    this.#keys.push(key);
    this.#steps.push(s);
    this.#values.push(Number.isNaN(value) ? null : value);
    this.#times.push(timestamp);
    if (this.#keys.length >= this.#tuning.flushEvery || timestamp - this.#oldest >= this.#tuning.flushMs) this.flush();
  }

  /** Record several metrics at the same step (same default step rule per key). */
  logMetrics(metrics: Record<string, number>, step?: number): void {
    const now = Date.now();
    for (const [k, v] of Object.entries(metrics)) this.logMetric(k, v, step, now);
  }

  /** Write buffered metrics now, in one transaction (also refreshes the heartbeat). */
  flush(): void {
    const n = this.#keys.length;
    if (n === 0) return;
    const keys = this.#keys;
    const steps = this.#steps;
    const values = this.#values;
    const times = this.#times;
    const ins = this.#insertMetric;
    const now = Date.now();
    this.#db.transaction(() => {
      for (let i = 0; i < n; i++) ins.run(this.id, keys[i], steps[i], values[i], times[i]);
      this.#beat.run(now, this.id);
    })();
    this.#lastBeat = now;
    this.#keys = [];
    this.#steps = [];
    this.#values = [];
    this.#times = [];
  }

  setTag(key: string, value: string): void {
    this.setTags({ [key]: value });
  }

  /** Tags are mutable labels; a later value replaces an earlier one. */
  setTags(tags: Record<string, string>): void {
    this.#assertLive();
    this.#db.transaction(() => {
      for (const [k, v] of Object.entries(tags)) {
        checkKey('tag', k);
        const row = tagEntity.toRow({ runId: this.id, key: k, value: String(v) });
        insertRow(this.#db, tagEntity.table, row, { onConflict: { update: ['run_id', 'key'] } });
      }
    })();
  }

  /**
   * Store an artifact in the content-addressed folder and attach it to the run under `name` (re-logging a name
   * points it at the new blob). `source` is the content (Uint8Array/Buffer) or a path to a file on disk.
   * `kind`: checkpoint | chart | report | profile | … (free text).
   */
  logArtifact(name: string, source: Uint8Array | string, kind = 'other'): ArtifactRecord {
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
    insertRow(
      this.#db,
      artifactEntity.table,
      { run_id: this.id, ...artifactEntity.toRow(stored) },
      {
        onConflict: { update: ['run_id', 'name'] },
      },
    );
    return { ...stored, path: blob.path };
  }

  /** Flush and close the run. Idempotent: ending an ended run does nothing. */
  end(status: EndStatus = 'finished', reason?: string): void {
    if (this.#status !== 'running') return;
    if (!END_STATUSES.includes(status)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `run status "${status}" must be one of ${END_STATUSES.join(', ')}`,
        {
          status,
        },
      );
    }
    clearInterval(this.#timer);
    untrackActive(this);
    try {
      this.flush();
    } finally {
      const now = Date.now();
      this.#db
        .prepare('UPDATE runs SET status = ?, status_reason = ?, end_time = ?, heartbeat_at = ? WHERE id = ?')
        .run(status, reason ?? null, now, now, this.id);
      this.#status = status;
    }
  }

  /** @internal Called by the signal/exit hooks. Never throws (the process is going down). */
  endFromSignal(status: 'killed' | 'failed', reason: string): void {
    try {
      if (this.#db.open) this.end(status, reason);
    } catch (e) {
      log.error({ err: e, run: this.id }, 'could not mark the run as ended');
    }
  }

  #tick(): void {
    if (this.#status !== 'running' || !this.#db.open) return;
    try {
      const now = Date.now();
      if (this.#keys.length > 0 && now - this.#oldest >= this.#tuning.flushMs) this.flush();
      else if (now - this.#lastBeat >= this.#tuning.heartbeatMs) {
        this.#beat.run(now, this.id);
        this.#lastBeat = now;
      }
    } catch (e) {
      log.warn({ err: e, run: this.id }, 'background flush failed; will retry');
    }
  }

  #assertLive(): void {
    if (this.#status !== 'running') {
      throw new GnnopsError(ErrorCodes.CONFLICT, `run ${this.id} has already ended (${this.#status})`, {
        run: this.id,
        status: this.#status,
      });
    }
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Migration } from '../track/migrations.js';
import type { Store } from '../track/store.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ParamSet } from './space.js';
import type { SweepSpec } from './spec.js';
import type { BaseConfig } from './trial-config.js';
import type { TrialOutcome, TrialStatus } from './types.js';

/**
 * Sweep state in the tracking store's database (`gnnops.db`): one row per sweep, one per trial, and the
 * per-epoch sweep-metric curve of each trial (Hyperband's memory across a resume). Every trial start and finish
 * is its own committed transaction, so a crash loses at most the trials that were running.
 */
export const sweepMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'sweep/1',
    sql: `
CREATE TABLE sweeps (
  id TEXT PRIMARY KEY,
  name TEXT,
  method TEXT NOT NULL,
  metric_name TEXT,
  goal TEXT,
  run_cap INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'failed')),
  spec_json TEXT NOT NULL,
  base_json TEXT NOT NULL DEFAULT '{}',
  notes_json TEXT NOT NULL DEFAULT '[]',
  queue TEXT,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sweep_trials (
  sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'failed', 'interrupted')),
  attempt INTEGER NOT NULL DEFAULT 1,
  params_json TEXT NOT NULL,
  config_json TEXT,
  metrics_json TEXT NOT NULL DEFAULT '{}',
  value REAL,
  run_id TEXT,
  epochs INTEGER NOT NULL DEFAULT 0,
  stopped_at INTEGER,
  worker TEXT,
  error TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  PRIMARY KEY (sweep_id, idx)
) WITHOUT ROWID;
CREATE TABLE sweep_curves (
  sweep_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  n INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (sweep_id, idx, n)
) WITHOUT ROWID;
`,
  },
]);

export type SweepStatus = 'running' | 'finished' | 'stopped' | 'failed';

export interface SweepRecord {
  id: string;
  name: string | null;
  method: SweepSpec['method'];
  metricName: string | null;
  goal: 'maximize' | 'minimize' | null;
  runCap: number;
  seed: number;
  status: SweepStatus;
  spec: SweepSpec;
  base: BaseConfig;
  notes: string[];
  queue: string | null;
  host: string;
  pid: number;
  createdAt: number;
  updatedAt: number;
}

export interface TrialRecord {
  sweepId: string;
  index: number;
  status: TrialStatus;
  attempt: number;
  params: ParamSet;
  config: unknown;
  metrics: Record<string, number>;
  value: number | null;
  runId: string | null;
  epochs: number;
  stoppedAt: number | null;
  worker: string | null;
  error: string | null;
  startedAt: number;
  endedAt: number | null;
}

interface SweepRow {
  id: string;
  name: string | null;
  method: string;
  metric_name: string | null;
  goal: string | null;
  run_cap: number;
  seed: number;
  status: string;
  spec_json: string;
  base_json: string;
  notes_json: string;
  queue: string | null;
  host: string;
  pid: number;
  created_at: number;
  updated_at: number;
}

interface TrialRow {
  sweep_id: string;
  idx: number;
  status: string;
  attempt: number;
  params_json: string;
  config_json: string | null;
  metrics_json: string;
  value: number | null;
  run_id: string | null;
  epochs: number;
  stopped_at: number | null;
  worker: string | null;
  error: string | null;
  started_at: number;
  ended_at: number | null;
}

function toSweep(r: SweepRow): SweepRecord {
  return {
    id: r.id,
    name: r.name,
    method: r.method as SweepSpec['method'],
    metricName: r.metric_name,
    goal: r.goal as SweepRecord['goal'],
    runCap: r.run_cap,
    seed: r.seed,
    status: r.status as SweepStatus,
    spec: JSON.parse(r.spec_json) as SweepSpec,
    base: JSON.parse(r.base_json) as BaseConfig,
    notes: JSON.parse(r.notes_json) as string[],
    queue: r.queue,
    host: r.host,
    pid: r.pid,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toTrial(r: TrialRow): TrialRecord {
  return {
    sweepId: r.sweep_id,
    index: r.idx,
    status: r.status as TrialStatus,
    attempt: r.attempt,
    params: JSON.parse(r.params_json) as ParamSet,
    config: r.config_json === null ? null : (JSON.parse(r.config_json) as unknown),
    metrics: JSON.parse(r.metrics_json) as Record<string, number>,
    value: r.value,
    runId: r.run_id,
    epochs: r.epochs,
    stoppedAt: r.stopped_at,
    worker: r.worker,
    error: r.error,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

export interface CreateSweepOptions {
  spec: SweepSpec;
  base?: BaseConfig;
  runCap: number;
  seed: number;
  notes?: string[];
  queue?: string;
  id?: string;
}

export class SweepStore {
  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
    store.applyMigrations(sweepMigrations);
  }

  create(opts: CreateSweepOptions): SweepRecord {
    const id = opts.id ?? `sw-${randomBytes(4).toString('hex')}`;
    const now = Date.now();
    this.store.db
      .prepare(
        `INSERT INTO sweeps (id, name, method, metric_name, goal, run_cap, seed, status, spec_json, base_json, notes_json,
           queue, host, pid, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        opts.spec.name ?? null,
        opts.spec.method,
        opts.spec.metric?.name ?? null,
        opts.spec.metric?.goal ?? null,
        opts.runCap,
        opts.seed,
        JSON.stringify(opts.spec),
        JSON.stringify(opts.base ?? {}),
        JSON.stringify(opts.notes ?? []),
        opts.queue ?? null,
        hostname(),
        process.pid,
        now,
        now,
      );
    return this.get(id);
  }

  get(id: string): SweepRecord {
    const row = this.store.db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE id = ?').get(id);
    if (!row) {
      const like = this.store.db
        .prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE id LIKE ? ORDER BY created_at DESC')
        .all(`${id}%`);
      if (like.length === 1) return toSweep(like[0]);
      throw new GnnopsError(
        ErrorCodes.NOT_FOUND,
        like.length > 1
          ? `sweep "${id}" is ambiguous: ${like.map((r) => r.id).join(', ')}`
          : `no sweep "${id}" in ${this.store.path} (gnnops sweep list shows the sweeps)`,
        { sweep: id },
      );
    }
    return toSweep(row);
  }

  list(): SweepRecord[] {
    return this.store.db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY created_at DESC').all().map(toSweep);
  }

  /** Claim the sweep for this process (resume) and mark it running. */
  claim(id: string): void {
    this.store.db
      .prepare("UPDATE sweeps SET status = 'running', host = ?, pid = ?, updated_at = ? WHERE id = ?")
      .run(hostname(), process.pid, Date.now(), id);
  }

  setStatus(id: string, status: SweepStatus): void {
    this.store.db.prepare('UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ?').run(status, Date.now(), id);
  }

  addNotes(id: string, notes: readonly string[]): void {
    const cur = this.get(id).notes;
    const merged = [...cur, ...notes.filter((n) => !cur.includes(n))];
    this.store.db.prepare('UPDATE sweeps SET notes_json = ? WHERE id = ?').run(JSON.stringify(merged), id);
  }

  trials(id: string): TrialRecord[] {
    return this.store.db
      .prepare<[string], TrialRow>('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY idx')
      .all(id)
      .map(toTrial);
  }

  /** Record a trial start (a new index, or a re-run of an interrupted one: its old curve is dropped). */
  startTrial(id: string, index: number, attempt: number, params: ParamSet, config: unknown): void {
    const db = this.store.db;
    db.transaction(() => {
      db.prepare('DELETE FROM sweep_curves WHERE sweep_id = ? AND idx = ?').run(id, index);
      db.prepare(
        `INSERT INTO sweep_trials (sweep_id, idx, status, attempt, params_json, config_json, started_at)
         VALUES (?, ?, 'running', ?, ?, ?, ?)
         ON CONFLICT (sweep_id, idx) DO UPDATE SET status = 'running', attempt = excluded.attempt,
           params_json = excluded.params_json, config_json = excluded.config_json, started_at = excluded.started_at,
           ended_at = NULL, error = NULL, value = NULL, metrics_json = '{}', epochs = 0, stopped_at = NULL`,
      ).run(id, index, attempt, JSON.stringify(params), config === null ? null : JSON.stringify(config), Date.now());
      db.prepare('UPDATE sweeps SET updated_at = ? WHERE id = ?').run(Date.now(), id);
    }).immediate();
  }

  finishTrial(id: string, index: number, o: TrialOutcome): void {
    const db = this.store.db;
    db.transaction(() => {
      db.prepare(
        `UPDATE sweep_trials SET status = ?, metrics_json = ?, value = ?, run_id = ?, epochs = ?, stopped_at = ?,
           worker = ?, error = ?, ended_at = ? WHERE sweep_id = ? AND idx = ?`,
      ).run(
        o.status,
        JSON.stringify(o.metrics),
        o.value,
        o.runId ?? null,
        o.epochs,
        o.stoppedAt ?? null,
        o.worker ?? null,
        o.error ?? null,
        Date.now(),
        id,
        index,
      );
      if (o.runId) this.#groupRun(id, index, o.runId, o.status);
      db.prepare('UPDATE sweeps SET updated_at = ? WHERE id = ?').run(Date.now(), id);
    }).immediate();
  }

  /** Trials left running by a dead process become 'interrupted' (and are re-run on resume). */
  markInterrupted(id: string): number {
    return this.store.db
      .prepare("UPDATE sweep_trials SET status = 'interrupted' WHERE sweep_id = ? AND status = 'running'")
      .run(id).changes;
  }

  interruptTrial(id: string, index: number): void {
    this.store.db
      .prepare("UPDATE sweep_trials SET status = 'interrupted' WHERE sweep_id = ? AND idx = ?")
      .run(id, index);
  }

  appendCurve(id: string, index: number, n: number, step: number, value: number): void {
    this.store.db
      .prepare('INSERT OR REPLACE INTO sweep_curves (sweep_id, idx, n, step, value) VALUES (?, ?, ?, ?, ?)')
      .run(id, index, n, step, value);
  }

  /** index → metric values in report order. */
  curves(id: string): Map<number, number[]> {
    const rows = this.store.db
      .prepare<[string], { idx: number; value: number }>(
        'SELECT idx, value FROM sweep_curves WHERE sweep_id = ? ORDER BY idx, n',
      )
      .all(id);
    const out = new Map<number, number[]>();
    for (const r of rows) {
      const c = out.get(r.idx);
      if (c) c.push(r.value);
      else out.set(r.idx, [r.value]);
    }
    return out;
  }

  /** Make the tracker run of a trial a member of the sweep (sweep_id column and tags), if the tracker has it. */
  #groupRun(id: string, index: number, runId: string, status: string): void {
    const db = this.store.db;
    const exists = db.prepare<[string], { id: string }>('SELECT id FROM runs WHERE id = ?').get(runId);
    if (!exists) return;
    db.prepare('UPDATE runs SET sweep_id = ? WHERE id = ? AND sweep_id IS NULL').run(id, runId);
    const tag = db.prepare('INSERT OR REPLACE INTO tags (run_id, key, value) VALUES (?, ?, ?)');
    tag.run(runId, 'sweep', id);
    tag.run(runId, 'sweep_trial', String(index));
    tag.run(runId, 'sweep_status', status); // finished | stopped (Hyperband) | failed
  }
}

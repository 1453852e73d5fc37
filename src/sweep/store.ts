import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Migration } from '../track/migrations.js';
import { insertRow } from '../track/sql.js';
import type { Store } from '../track/store.js';
import { codecs as c, defineEntity } from '../util/entity.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ParamSet } from './space.js';
import type { SweepSpec } from './spec.js';
import type { BaseConfig } from './trial-config.js';
import type { TrialOutcome, TrialStatus } from './types.js';

/**
 * Sweep state in the tracking store's database (`gnnops.db`): one row per sweep, one per trial, and the
 * per-epoch sweep-metric curve of each trial (Hyperband's memory across a resume). Every trial start and finish
 * is its own committed transaction, so a crash loses at most the trials that were running.
 *
 * Ownership (sweep/2): the controller that runs a sweep holds its `owner` token (set by `claim`, which a resume
 * calls); each trial attempt holds a `lease` token (set by `startTrial`). A claim revokes the leases of trials
 * left running, so a resumed controller's attempt supersedes the old one: a result, an interruption or an epoch
 * from a stale attempt (a controller that was presumed dead, a late message) is refused, not recorded. The
 * check and the write are one statement (`... WHERE lease = ?`), so no other writer can slip in between.
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
  {
    id: 'sweep/2',
    sql: `
ALTER TABLE sweeps ADD COLUMN owner TEXT;
ALTER TABLE sweep_trials ADD COLUMN lease TEXT;
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

const SWEEP_STATUSES: readonly SweepStatus[] = ['running', 'finished', 'stopped', 'failed'];
const TRIAL_STATUSES: readonly TrialStatus[] = ['running', 'finished', 'stopped', 'failed', 'interrupted'];
const METHODS: readonly SweepSpec['method'][] = ['grid', 'random', 'bayes'];
const GOALS = ['maximize', 'minimize'] as const;

/** How a sweep maps to `sweeps` and to its JSON view, the dashboard's summary (the spec, base and controller stay internal). */
export const sweepEntity = defineEntity<SweepRecord>()({
  name: 'sweep',
  table: 'sweeps',
  columns: {
    id: { column: 'id', codec: c.text },
    name: { column: 'name', codec: c.nullable(c.text) },
    method: { column: 'method', codec: c.oneOf(METHODS) },
    metricName: { column: 'metric_name', codec: c.nullable(c.text), json: 'metric' },
    goal: { column: 'goal', codec: c.nullable(c.oneOf(GOALS)) },
    runCap: { column: 'run_cap', codec: c.int },
    seed: { column: 'seed', codec: c.int, json: false },
    status: { column: 'status', codec: c.oneOf(SWEEP_STATUSES) },
    spec: { column: 'spec_json', codec: c.jsonObject<SweepSpec>('a sweep spec'), json: false },
    base: { column: 'base_json', codec: c.jsonObject<BaseConfig>('a base config'), json: false },
    notes: { column: 'notes_json', codec: c.jsonArray<string>('an array of notes'), json: false },
    queue: { column: 'queue', codec: c.nullable(c.text), json: false },
    host: { column: 'host', codec: c.text, json: false },
    pid: { column: 'pid', codec: c.int, json: false },
    createdAt: { column: 'created_at', codec: c.int },
    updatedAt: { column: 'updated_at', codec: c.int },
  },
});

/** How a trial maps to `sweep_trials` and to its JSON view. */
export const trialEntity = defineEntity<TrialRecord>()({
  name: 'sweep trial',
  table: 'sweep_trials',
  columns: {
    sweepId: { column: 'sweep_id', codec: c.text, json: false },
    index: { column: 'idx', codec: c.int, json: 'index' },
    status: { column: 'status', codec: c.oneOf(TRIAL_STATUSES) },
    attempt: { column: 'attempt', codec: c.int, json: false },
    params: { column: 'params_json', codec: c.jsonObject<ParamSet>('sampled parameters'), json: 'params' },
    config: { column: 'config_json', codec: c.nullable(c.json<unknown>('a config')), json: false },
    metrics: { column: 'metrics_json', codec: c.metricMap, json: 'metrics' },
    value: { column: 'value', codec: c.nullable(c.real) },
    runId: { column: 'run_id', codec: c.nullable(c.text) },
    epochs: { column: 'epochs', codec: c.int },
    stoppedAt: { column: 'stopped_at', codec: c.nullable(c.int) },
    worker: { column: 'worker', codec: c.nullable(c.text), json: false },
    error: { column: 'error', codec: c.nullable(c.text) },
    startedAt: { column: 'started_at', codec: c.int },
    endedAt: { column: 'ended_at', codec: c.nullable(c.int) },
  },
});

/** One point of a trial's sweep-metric curve. */
export interface CurvePoint {
  sweepId: string;
  index: number;
  n: number;
  step: number;
  value: number;
}

export const curveEntity = defineEntity<CurvePoint>()({
  name: 'sweep curve point',
  table: 'sweep_curves',
  columns: {
    sweepId: { column: 'sweep_id', codec: c.text },
    index: { column: 'idx', codec: c.int, json: 'index' },
    n: { column: 'n', codec: c.int },
    step: { column: 'step', codec: c.int },
    value: { column: 'value', codec: c.real },
  },
});

const toSweep = (r: unknown): SweepRecord => sweepEntity.fromRow(r);
const toTrial = (r: unknown): TrialRecord => trialEntity.fromRow(r);

/** The sweep's ownership columns, which the record leaves out (they are tokens, not state to show). */
interface OwnerRow {
  owner: string | null;
  pid: number;
  host: string;
  status: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
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
    const rec: SweepRecord = {
      id,
      name: opts.spec.name ?? null,
      method: opts.spec.method,
      metricName: opts.spec.metric?.name ?? null,
      goal: opts.spec.metric?.goal ?? null,
      runCap: opts.runCap,
      seed: opts.seed,
      status: 'running',
      spec: opts.spec,
      base: opts.base ?? {},
      notes: opts.notes ?? [],
      queue: opts.queue ?? null,
      host: hostname(),
      pid: process.pid,
      createdAt: now,
      updatedAt: now,
    };
    insertRow(this.store.db, sweepEntity.table, sweepEntity.toRow(rec));
    return this.get(id);
  }

  get(id: string): SweepRecord {
    const row = this.store.db.prepare<[string], unknown>('SELECT * FROM sweeps WHERE id = ?').get(id);
    if (!row) {
      const like = this.store.db
        .prepare<[string], unknown>('SELECT * FROM sweeps WHERE id LIKE ? ORDER BY created_at DESC')
        .all(`${id}%`)
        .map(toSweep);
      if (like.length === 1) return like[0]!;
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
    return this.store.db.prepare<[], unknown>('SELECT * FROM sweeps ORDER BY created_at DESC').all().map(toSweep);
  }

  /**
   * Take the sweep over for this process (a first run or a resume) and return the owner token that its trial
   * starts must carry. Trials left running by the previous owner become 'interrupted' and lose their lease, so
   * their late results are refused. Refused (E_CONFLICT) while another live process on this host has trials of
   * the sweep running. One immediate transaction: of two processes resuming at once, exactly one wins.
   */
  claim(id: string): string {
    const db = this.store.db;
    const owner = randomBytes(8).toString('hex');
    db.transaction(() => {
      const rec = db.prepare<[string], OwnerRow>('SELECT owner, pid, host, status FROM sweeps WHERE id = ?').get(id);
      if (!rec) throw new GnnopsError(ErrorCodes.NOT_FOUND, `no sweep "${id}" in ${this.store.path}`, { sweep: id });
      const running = db
        .prepare<[string], { n: number }>(
          "SELECT count(*) AS n FROM sweep_trials WHERE sweep_id = ? AND status = 'running'",
        )
        .get(id)?.n;
      if (
        rec.status === 'running' &&
        rec.pid !== process.pid &&
        rec.host === hostname() &&
        pidAlive(rec.pid) &&
        (running ?? 0) > 0
      ) {
        throw new GnnopsError(
          ErrorCodes.CONFLICT,
          `sweep ${id} is being run by process ${rec.pid} on this host (${running} trials running); stop it first`,
          { sweep: id, pid: rec.pid },
        );
      }
      db.prepare("UPDATE sweeps SET status = 'running', owner = ?, host = ?, pid = ?, updated_at = ? WHERE id = ?").run(
        owner,
        hostname(),
        process.pid,
        Date.now(),
        id,
      );
      db.prepare(
        "UPDATE sweep_trials SET status = 'interrupted', lease = NULL WHERE sweep_id = ? AND status = 'running'",
      ).run(id);
    }).immediate();
    return owner;
  }

  /** Set the sweep's status; with `owner`, only while that token still owns the sweep (returns whether it did). */
  setStatus(id: string, status: SweepStatus, owner?: string): boolean {
    const db = this.store.db;
    const now = Date.now();
    if (owner === undefined) {
      return db.prepare('UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ?').run(status, now, id).changes > 0;
    }
    return (
      db.prepare('UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ? AND owner = ?').run(status, now, id, owner)
        .changes > 0
    );
  }

  addNotes(id: string, notes: readonly string[]): void {
    const cur = this.get(id).notes;
    const merged = [...cur, ...notes.filter((n) => !cur.includes(n))];
    const { notes_json } = sweepEntity.cells({ notes: merged });
    this.store.db.prepare('UPDATE sweeps SET notes_json = ? WHERE id = ?').run(notes_json, id);
  }

  trials(id: string): TrialRecord[] {
    return this.store.db
      .prepare<[string], unknown>('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY idx')
      .all(id)
      .map(toTrial);
  }

  /**
   * Record a trial start (a new index, or a re-run of an interrupted one: its old curve is dropped) and return
   * the attempt's lease: the token its finish, interruption and epochs must carry. Refused (E_CONFLICT) when
   * `owner` no longer owns the sweep (another process resumed it).
   */
  startTrial(id: string, owner: string, index: number, attempt: number, params: ParamSet, config: unknown): string {
    const db = this.store.db;
    const lease = randomBytes(8).toString('hex');
    db.transaction(() => {
      const cur = db.prepare<[string], OwnerRow>('SELECT owner, pid, host, status FROM sweeps WHERE id = ?').get(id);
      if (cur?.owner !== owner) {
        throw new GnnopsError(
          ErrorCodes.CONFLICT,
          `sweep ${id} was taken over by process ${cur?.pid} on ${cur?.host}; this process no longer runs it`,
          { sweep: id, pid: cur?.pid },
        );
      }
      db.prepare('DELETE FROM sweep_curves WHERE sweep_id = ? AND idx = ?').run(id, index);
      const row = trialEntity.cells({
        sweepId: id,
        index,
        status: 'running',
        attempt,
        params,
        config,
        startedAt: Date.now(),
      });
      db.prepare(
        `INSERT INTO sweep_trials (sweep_id, idx, status, attempt, lease, params_json, config_json, started_at)
         VALUES (@sweep_id, @idx, @status, @attempt, @lease, @params_json, @config_json, @started_at)
         ON CONFLICT (sweep_id, idx) DO UPDATE SET status = 'running', attempt = excluded.attempt,
           lease = excluded.lease, params_json = excluded.params_json, config_json = excluded.config_json,
           started_at = excluded.started_at, ended_at = NULL, error = NULL, value = NULL, metrics_json = '{}',
           epochs = 0, stopped_at = NULL`,
      ).run({ ...row, lease });
      db.prepare('UPDATE sweeps SET updated_at = ? WHERE id = ?').run(Date.now(), id);
    }).immediate();
    return lease;
  }

  /**
   * Record a trial's result, once: only the attempt holding `lease` may, and only while the trial is running.
   * Returns false (nothing written) for a stale or repeated report.
   */
  finishTrial(id: string, index: number, lease: string, o: TrialOutcome): boolean {
    const db = this.store.db;
    return db
      .transaction(() => {
        const row = trialEntity.cells({
          status: o.status,
          metrics: o.metrics,
          value: o.value,
          runId: o.runId ?? null,
          epochs: o.epochs,
          stoppedAt: o.stoppedAt ?? null,
          worker: o.worker ?? null,
          error: o.error ?? null,
          endedAt: Date.now(),
        });
        const { changes } = db
          .prepare(
            `UPDATE sweep_trials SET status = @status, metrics_json = @metrics_json, value = @value, run_id = @run_id,
               epochs = @epochs, stopped_at = @stopped_at, worker = @worker, error = @error, ended_at = @ended_at,
               lease = NULL
             WHERE sweep_id = @sweep_id AND idx = @idx AND lease = @lease AND status = 'running'`,
          )
          .run({ ...row, sweep_id: id, idx: index, lease });
        if (changes === 0) return false;
        if (o.runId) this.#groupRun(id, index, o.runId, o.status);
        db.prepare('UPDATE sweeps SET updated_at = ? WHERE id = ?').run(Date.now(), id);
        return true;
      })
      .immediate();
  }

  /** The attempt holding `lease` did not finish (sweep stopping): re-run on resume. False if the lease is stale. */
  interruptTrial(id: string, index: number, lease: string): boolean {
    return (
      this.store.db
        .prepare(
          "UPDATE sweep_trials SET status = 'interrupted', lease = NULL WHERE sweep_id = ? AND idx = ? AND lease = ? AND status = 'running'",
        )
        .run(id, index, lease).changes > 0
    );
  }

  /** One point of a trial's curve, from the attempt holding `lease` (false, nothing written, if it is stale). */
  appendCurve(id: string, index: number, lease: string, n: number, step: number, value: number): boolean {
    return (
      this.store.db
        .prepare(
          `INSERT OR REPLACE INTO sweep_curves (sweep_id, idx, n, step, value)
           SELECT ?, ?, ?, ?, ? WHERE EXISTS (
             SELECT 1 FROM sweep_trials WHERE sweep_id = ? AND idx = ? AND lease = ? AND status = 'running')`,
        )
        .run(id, index, n, step, value, id, index, lease).changes > 0
    );
  }

  /** index → metric values in report order. */
  curves(id: string): Map<number, number[]> {
    const rows = this.store.db
      .prepare<[string], unknown>('SELECT * FROM sweep_curves WHERE sweep_id = ? ORDER BY idx, n')
      .all(id)
      .map((r) => curveEntity.fromRow(r));
    const out = new Map<number, number[]>();
    for (const r of rows) {
      const curve = out.get(r.index);
      if (curve) curve.push(r.value);
      else out.set(r.index, [r.value]);
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

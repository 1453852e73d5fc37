import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type DbMigration, insertRow, type SqlDb, type SqlExecutor, type Transaction } from '../db/index.js';
import type { Store } from '../track/store.js';
import { codecs as c, defineEntity } from '../util/entity.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ParamSet } from './space.js';
import type { SweepSpec } from './spec.js';
import type { BaseConfig } from './trial-config.js';
import type { TrialOutcome, TrialStatus } from './types.js';

/**
 * Sweep state in the workspace store (`store.url`: the SQLite file by default, or a PostgreSQL server a controller
 * and remote workers share): one row per sweep, one per trial, and the
 * per-epoch sweep-metric curve of each trial (Hyperband's memory across a resume). Every trial start and finish
 * is its own committed transaction, so a crash loses at most the trials that were running.
 *
 * Ownership (sweep/2): the controller that runs a sweep holds its `owner` token (set by `claim`, which a resume
 * calls); each trial attempt holds a `lease` token (set by `startTrial`). A claim revokes the leases of trials
 * left running, so a resumed controller's attempt supersedes the old one: a result, an interruption or an epoch
 * from a stale attempt (a controller that was presumed dead, a late message) is refused, not recorded. The
 * check and the write are one statement (`... WHERE lease = $n`), so no other writer can slip in between.
 */
export const sweepMigrations: readonly DbMigration[] = Object.freeze([
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
    postgres: `
CREATE TABLE sweeps (
  id TEXT PRIMARY KEY,
  name TEXT,
  method TEXT NOT NULL,
  metric_name TEXT,
  goal TEXT,
  run_cap INTEGER NOT NULL,
  seed BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'failed')),
  spec_json TEXT NOT NULL,
  base_json TEXT NOT NULL DEFAULT '{}',
  notes_json TEXT NOT NULL DEFAULT '[]',
  queue TEXT,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE sweep_trials (
  sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'failed', 'interrupted')),
  attempt INTEGER NOT NULL DEFAULT 1,
  params_json TEXT NOT NULL,
  config_json TEXT,
  metrics_json TEXT NOT NULL DEFAULT '{}',
  value DOUBLE PRECISION,
  run_id TEXT,
  epochs INTEGER NOT NULL DEFAULT 0,
  stopped_at INTEGER,
  worker TEXT,
  error TEXT,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  PRIMARY KEY (sweep_id, idx)
);
CREATE TABLE sweep_curves (
  sweep_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  n INTEGER NOT NULL,
  step BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (sweep_id, idx, n)
);
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
type OwnerRow = {
  owner: string | null;
  pid: number;
  host: string;
  status: string;
};

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
  readonly #db: SqlDb;
  readonly #ready: Promise<unknown>;

  constructor(store: Store) {
    this.store = store;
    this.#db = store.sql;
    this.#ready = store.migrate(sweepMigrations);
    // Awaited by every method; this keeps a failure from being reported as unhandled before the first call.
    this.#ready.catch(() => undefined);
  }

  async create(opts: CreateSweepOptions): Promise<SweepRecord> {
    await this.#ready;
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
    await insertRow(this.#db, sweepEntity.table, sweepEntity.toRow(rec));
    return this.get(id);
  }

  async get(id: string): Promise<SweepRecord> {
    await this.#ready;
    const rows = await this.#db.query('SELECT * FROM sweeps WHERE id = $1', [id]);
    if (rows.length === 0) {
      const like = (
        await this.#db.query('SELECT * FROM sweeps WHERE id LIKE $1 ORDER BY created_at DESC', [`${id}%`])
      ).map(toSweep);
      if (like.length === 1) return like[0]!;
      throw new GnnopsError(
        ErrorCodes.NOT_FOUND,
        like.length > 1
          ? `sweep "${id}" is ambiguous: ${like.map((r) => r.id).join(', ')}`
          : `no sweep "${id}" in ${this.#db.display} (gnnops sweep list shows the sweeps)`,
        { sweep: id },
      );
    }
    return toSweep(rows[0]);
  }

  async list(): Promise<SweepRecord[]> {
    await this.#ready;
    return (await this.#db.query('SELECT * FROM sweeps ORDER BY created_at DESC')).map(toSweep);
  }

  /**
   * Take the sweep over for this process (a first run or a resume) and return the owner token that its trial
   * starts must carry. Trials left running by the previous owner become 'interrupted' and lose their lease, so
   * their late results are refused. Refused (E_CONFLICT) while another live process on this host has trials of
   * the sweep running. One transaction under the sweep's lock key: of two processes resuming at once, exactly one
   * wins.
   */
  async claim(id: string): Promise<string> {
    await this.#ready;
    const owner = randomBytes(8).toString('hex');
    await this.#db.transaction(async (tx) => {
      await lockSweep(tx, id);
      const [rec] = await tx.query<OwnerRow>('SELECT owner, pid, host, status FROM sweeps WHERE id = $1', [id]);
      if (!rec) throw new GnnopsError(ErrorCodes.NOT_FOUND, `no sweep "${id}" in ${this.#db.display}`, { sweep: id });
      const [count] = await tx.query<{ n: number }>(
        "SELECT count(*) AS n FROM sweep_trials WHERE sweep_id = $1 AND status = 'running'",
        [id],
      );
      const running = count?.n ?? 0;
      if (
        rec.status === 'running' &&
        rec.pid !== process.pid &&
        rec.host === hostname() &&
        pidAlive(rec.pid) &&
        running > 0
      ) {
        throw new GnnopsError(
          ErrorCodes.CONFLICT,
          `sweep ${id} is being run by process ${rec.pid} on this host (${running} trials running); stop it first`,
          { sweep: id, pid: rec.pid },
        );
      }
      await tx.run(
        "UPDATE sweeps SET status = 'running', owner = $1, host = $2, pid = $3, updated_at = $4 WHERE id = $5",
        [owner, hostname(), process.pid, Date.now(), id],
      );
      await tx.run(
        "UPDATE sweep_trials SET status = 'interrupted', lease = NULL WHERE sweep_id = $1 AND status = 'running'",
        [id],
      );
    });
    return owner;
  }

  /** Set the sweep's status; with `owner`, only while that token still owns the sweep (returns whether it did). */
  async setStatus(id: string, status: SweepStatus, owner?: string): Promise<boolean> {
    await this.#ready;
    const now = Date.now();
    const changed =
      owner === undefined
        ? await this.#db.run('UPDATE sweeps SET status = $1, updated_at = $2 WHERE id = $3', [status, now, id])
        : await this.#db.run('UPDATE sweeps SET status = $1, updated_at = $2 WHERE id = $3 AND owner = $4', [
            status,
            now,
            id,
            owner,
          ]);
    return changed > 0;
  }

  async addNotes(id: string, notes: readonly string[]): Promise<void> {
    const cur = (await this.get(id)).notes;
    const merged = [...cur, ...notes.filter((n) => !cur.includes(n))];
    const { notes_json } = sweepEntity.cells({ notes: merged });
    await this.#db.run('UPDATE sweeps SET notes_json = $1 WHERE id = $2', [notes_json, id]);
  }

  async trials(id: string): Promise<TrialRecord[]> {
    await this.#ready;
    return (await this.#db.query('SELECT * FROM sweep_trials WHERE sweep_id = $1 ORDER BY idx', [id])).map(toTrial);
  }

  /**
   * Record a trial start (a new index, or a re-run of an interrupted one: its old curve is dropped) and return
   * the attempt's lease: the token its finish, interruption and epochs must carry. Refused (E_CONFLICT) when
   * `owner` no longer owns the sweep (another process resumed it).
   */
  async startTrial(
    id: string,
    owner: string,
    index: number,
    attempt: number,
    params: ParamSet,
    config: unknown,
  ): Promise<string> {
    await this.#ready;
    const lease = randomBytes(8).toString('hex');
    await this.#db.transaction(async (tx) => {
      await lockSweep(tx, id);
      const [cur] = await tx.query<OwnerRow>('SELECT owner, pid, host, status FROM sweeps WHERE id = $1', [id]);
      if (cur?.owner !== owner) {
        throw new GnnopsError(
          ErrorCodes.CONFLICT,
          `sweep ${id} was taken over by process ${cur?.pid} on ${cur?.host}; this process no longer runs it`,
          { sweep: id, pid: cur?.pid },
        );
      }
      await tx.run('DELETE FROM sweep_curves WHERE sweep_id = $1 AND idx = $2', [id, index]);
      const row = trialEntity.cells({
        sweepId: id,
        index,
        status: 'running',
        attempt,
        params,
        config,
        startedAt: Date.now(),
      });
      await tx.run(
        `INSERT INTO sweep_trials (sweep_id, idx, status, attempt, lease, params_json, config_json, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (sweep_id, idx) DO UPDATE SET status = 'running', attempt = excluded.attempt,
           lease = excluded.lease, params_json = excluded.params_json, config_json = excluded.config_json,
           started_at = excluded.started_at, ended_at = NULL, error = NULL, value = NULL, metrics_json = '{}',
           epochs = 0, stopped_at = NULL`,
        [
          row.sweep_id!,
          row.idx!,
          row.status!,
          row.attempt!,
          lease,
          row.params_json!,
          row.config_json ?? null,
          row.started_at!,
        ],
      );
      await tx.run('UPDATE sweeps SET updated_at = $1 WHERE id = $2', [Date.now(), id]);
    });
    return lease;
  }

  /**
   * Record a trial's result, once: only the attempt holding `lease` may, and only while the trial is running.
   * Returns false (nothing written) for a stale or repeated report.
   */
  async finishTrial(id: string, index: number, lease: string, o: TrialOutcome): Promise<boolean> {
    await this.#ready;
    return this.#db.transaction(async (tx) => {
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
      const changed = await tx.run(
        `UPDATE sweep_trials SET status = $1, metrics_json = $2, value = $3, run_id = $4, epochs = $5,
           stopped_at = $6, worker = $7, error = $8, ended_at = $9, lease = NULL
         WHERE sweep_id = $10 AND idx = $11 AND lease = $12 AND status = 'running'`,
        [
          row.status!,
          row.metrics_json!,
          row.value ?? null,
          row.run_id ?? null,
          row.epochs!,
          row.stopped_at ?? null,
          row.worker ?? null,
          row.error ?? null,
          row.ended_at!,
          id,
          index,
          lease,
        ],
      );
      if (changed === 0) return false;
      if (o.runId) await groupRun(tx, id, index, o.runId, o.status);
      await tx.run('UPDATE sweeps SET updated_at = $1 WHERE id = $2', [Date.now(), id]);
      return true;
    });
  }

  /** The attempt holding `lease` did not finish (sweep stopping): re-run on resume. False if the lease is stale. */
  async interruptTrial(id: string, index: number, lease: string): Promise<boolean> {
    await this.#ready;
    const changed = await this.#db.run(
      "UPDATE sweep_trials SET status = 'interrupted', lease = NULL WHERE sweep_id = $1 AND idx = $2 AND lease = $3 AND status = 'running'",
      [id, index, lease],
    );
    return changed > 0;
  }

  /** One point of a trial's curve, from the attempt holding `lease` (false, nothing written, if it is stale). */
  async appendCurve(
    id: string,
    index: number,
    lease: string,
    n: number,
    step: number,
    value: number,
  ): Promise<boolean> {
    await this.#ready;
    // The WHERE on the SELECT also settles SQLite's reading of INSERT … SELECT … ON CONFLICT.
    const changed = await this.#db.run(
      `INSERT INTO sweep_curves (sweep_id, idx, n, step, value)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (
         SELECT 1 FROM sweep_trials WHERE sweep_id = $1 AND idx = $2 AND lease = $6 AND status = 'running')
       ON CONFLICT (sweep_id, idx, n) DO UPDATE SET step = excluded.step, value = excluded.value`,
      [id, index, n, step, value, lease],
    );
    return changed > 0;
  }

  /** index → metric values in report order. */
  async curves(id: string): Promise<Map<number, number[]>> {
    await this.#ready;
    const rows = (await this.#db.query('SELECT * FROM sweep_curves WHERE sweep_id = $1 ORDER BY idx, n', [id])).map(
      (r) => curveEntity.fromRow(r),
    );
    const out = new Map<number, number[]>();
    for (const r of rows) {
      const curve = out.get(r.index);
      if (curve) curve.push(r.value);
      else out.set(r.index, [r.value]);
    }
    return out;
  }
}

/** Serialise the writers of one sweep (claims and trial starts) across processes and machines. */
function lockSweep(tx: Transaction, id: string): Promise<void> {
  return tx.lockKey(`gnnops:sweep:${id}`);
}

/** Make the tracker run of a trial a member of the sweep (sweep_id column and tags), if the tracker has it. */
async function groupRun(ex: SqlExecutor, id: string, index: number, runId: string, status: string): Promise<void> {
  const exists = await ex.query('SELECT id FROM runs WHERE id = $1', [runId]);
  if (exists.length === 0) return;
  await ex.run('UPDATE runs SET sweep_id = $1 WHERE id = $2 AND sweep_id IS NULL', [id, runId]);
  const tags: [string, string][] = [
    ['sweep', id],
    ['sweep_trial', String(index)],
    ['sweep_status', status], // finished | stopped (Hyperband) | failed
  ];
  for (const [key, value] of tags) {
    await ex.run(
      'INSERT INTO tags (run_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
      [runId, key, value],
    );
  }
}

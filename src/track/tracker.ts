import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import { insertRow } from '../db/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { experimentEntity, runEntity } from './entities.js';
import { flattenConfig } from './flatten.js';
import { type GitInfo, gitInfo } from './git.js';
import * as q from './queries.js';
import { processStart } from './recovery.js';
import { defaultRunTuning, Run, type RunTuning } from './run.js';
import type { Store } from './store.js';
import type { ArtifactRecord, DatasetRef, MetricPoint, ParamValue, RunDetail, RunRecord } from './types.js';
import { gnnopsVersion } from './version.js';

export interface StartRunOptions {
  /** Experiment name, created on first use (default: the tracker's default, itself default `default`). */
  experiment?: string;
  /** Human name; default `<dataset or run>-<YYYYMMDD-HHMMSS>`. Need not be unique. */
  name?: string;
  /** The resolved config, stored as JSON and (unless `configAsParams: false`) flattened into params. */
  config?: unknown;
  configAsParams?: boolean;
  /** Extra params logged at start. */
  params?: Record<string, ParamValue>;
  dataset?: DatasetRef;
  tags?: Record<string, string>;
  parentId?: string;
  sweepId?: string;
  /** Where to look for the git repository (default: cwd). Pass `git: null` to skip, or a value to override. */
  cwd?: string;
  git?: GitInfo | null;
  tuning?: Partial<RunTuning>;
}

export interface TrackerOptions {
  /** Experiment used when startRun() names none. Default `default`. */
  experiment?: string;
  tuning?: Partial<RunTuning>;
}

const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-/ ]{0,127}$/;

function stamp(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Experiment tracking over a Store: start runs, and read runs back (list, find, detail, series).
 *
 *   const store = await openStore();
 *   const tracker = new Tracker(store, { experiment: 'wikics-gcn' });
 *   const run = await tracker.startRun({ config, dataset: { name: 'wikics', hash } });
 *   run.logMetrics({ train_loss, val_acc }, epoch);
 *   await run.end('finished');
 */
export class Tracker {
  readonly store: Store;
  readonly defaultExperiment: string;
  readonly #tuning: RunTuning;

  constructor(store: Store, opts: TrackerOptions = {}) {
    this.store = store;
    this.defaultExperiment = opts.experiment ?? 'default';
    this.#tuning = { ...defaultRunTuning, ...opts.tuning };
  }

  /** Id of the experiment, created if missing. */
  async experimentId(name: string): Promise<number> {
    if (!EXPERIMENT_NAME.test(name)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `experiment name ${JSON.stringify(name)} must be 1-128 characters of letters, digits, space, _ . - /, starting with a letter or digit`,
        { experiment: name },
      );
    }
    const db = this.store.sql;
    await insertRow(db, experimentEntity.table, experimentEntity.toRow({ name, createdAt: Date.now() }), {
      onConflict: 'ignore',
    });
    const rows = await db.query<{ id: number }>('SELECT id FROM experiments WHERE name = $1', [name]);
    return rows[0]!.id;
  }

  async startRun(opts: StartRunOptions = {}): Promise<Run> {
    const db = this.store.sql;
    const experiment = opts.experiment ?? this.defaultExperiment;
    const expId = await this.experimentId(experiment);
    const parentId = opts.parentId === undefined ? null : (await q.findRun(db, opts.parentId)).id;
    const id = randomBytes(16).toString('hex');
    const now = Date.now();
    const name = opts.name ?? `${opts.dataset?.name ?? 'run'}-${stamp(now)}`;
    const git = opts.git !== undefined ? opts.git : gitInfo(opts.cwd);
    const config = opts.config ?? {};
    try {
      JSON.stringify(config);
    } catch (e) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `run config is not JSON-serialisable: ${(e as Error).message}`,
      );
    }
    const row = runEntity.cells({
      id,
      name,
      status: 'running',
      startTime: now,
      gitSha: git?.sha ?? null,
      gitDirty: git ? git.dirty : null,
      config,
      datasetName: opts.dataset?.name ?? null,
      datasetHash: opts.dataset?.hash ?? null,
      host: hostname(),
      pid: process.pid,
      heartbeatAt: now,
      gnnopsVersion: gnnopsVersion(),
      parentId,
      sweepId: opts.sweepId ?? null,
    });
    await insertRow(db, runEntity.table, { ...row, experiment_id: expId, pid_start: processStart(process.pid) });
    const run = new Run(
      db,
      this.store.cas,
      { id, name, experiment },
      { ...this.#tuning, ...opts.tuning },
      this.store.target,
    );
    try {
      const params = { ...(opts.configAsParams === false ? {} : flattenConfig(config)), ...opts.params };
      if (Object.keys(params).length > 0) await run.logParams(params);
      if (opts.tags && Object.keys(opts.tags).length > 0) await run.setTags(opts.tags);
    } catch (e) {
      await run.end('failed', `invalid start options: ${(e as Error).message}`);
      throw e;
    }
    return run;
  }

  /** A run by id, unique id prefix or unique name. */
  getRun(ref: string): Promise<RunRecord> {
    return q.findRun(this.store.sql, ref);
  }

  listRuns(filter: q.RunFilter = {}): Promise<RunRecord[]> {
    return q.listRuns(this.store.sql, filter);
  }

  listExperiments(): Promise<{ name: string; runs: number; createdAt: number }[]> {
    return q.listExperiments(this.store.sql);
  }

  params(runId: string): Promise<Record<string, string>> {
    return q.runParams(this.store.sql, runId);
  }

  tags(runId: string): Promise<Record<string, string>> {
    return q.runTags(this.store.sql, runId);
  }

  metricKeys(runId: string): Promise<string[]> {
    return q.metricKeys(this.store.sql, runId);
  }

  metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return q.metricHistory(this.store.sql, runId, key);
  }

  latestMetrics(runId: string): Promise<Record<string, { value: number; step: number }>> {
    return q.latestMetrics(this.store.sql, runId);
  }

  /** latestMetrics of each run, in a few queries. */
  latestMetricsOfRuns(
    runIds: readonly string[],
  ): Promise<Map<string, Record<string, { value: number; step: number }>>> {
    return q.latestMetricsOfRuns(this.store.sql, runIds);
  }

  artifacts(runId: string): Promise<ArtifactRecord[]> {
    return q.runArtifacts(this.store.sql, this.store.cas, runId);
  }

  /** Params, last metrics, tags, artifacts and lineage of a run. */
  detail(ref: string): Promise<RunDetail> {
    return q.runDetail(this.store.sql, this.store.cas, ref);
  }
}

/** A tracker configured from the `track` config section (experiment and batching). */
export function trackerFromConfig(store: Store, c: Config['track']): Tracker {
  return new Tracker(store, {
    experiment: c.experiment,
    tuning: { flushEvery: c.flush_every, flushMs: c.flush_ms, heartbeatMs: c.heartbeat_s * 1000 },
  });
}

import type Database from 'better-sqlite3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ArtifactStore } from './cas.js';
import type { ArtifactRecord, MetricPoint, RunDetail, RunRecord, RunStatus } from './types.js';

interface RunRow {
  id: string;
  experiment: string;
  name: string;
  status: RunStatus;
  status_reason: string | null;
  start_time: number;
  end_time: number | null;
  git_sha: string | null;
  git_dirty: number | null;
  config_json: string;
  dataset_name: string | null;
  dataset_hash: string | null;
  host: string;
  pid: number;
  heartbeat_at: number;
  gnnops_version: string;
  parent_id: string | null;
  sweep_id: string | null;
}

const RUN_SELECT = 'SELECT r.*, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id';

function decodeRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    experiment: r.experiment,
    name: r.name,
    status: r.status,
    statusReason: r.status_reason,
    startTime: r.start_time,
    endTime: r.end_time,
    gitSha: r.git_sha,
    gitDirty: r.git_dirty === null ? null : r.git_dirty === 1,
    config: JSON.parse(r.config_json) as unknown,
    datasetName: r.dataset_name,
    datasetHash: r.dataset_hash,
    host: r.host,
    pid: r.pid,
    heartbeatAt: r.heartbeat_at,
    gnnopsVersion: r.gnnops_version,
    parentId: r.parent_id,
    sweepId: r.sweep_id,
  };
}

export interface RunFilter {
  experiment?: string;
  status?: RunStatus;
  sweepId?: string;
  parentId?: string;
  /** Newest first; default 1000. */
  limit?: number;
}

export function listRuns(db: Database.Database, f: RunFilter = {}): RunRecord[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.experiment !== undefined) {
    where.push('e.name = ?');
    args.push(f.experiment);
  }
  if (f.status !== undefined) {
    where.push('r.status = ?');
    args.push(f.status);
  }
  if (f.sweepId !== undefined) {
    where.push('r.sweep_id = ?');
    args.push(f.sweepId);
  }
  if (f.parentId !== undefined) {
    where.push('r.parent_id = ?');
    args.push(f.parentId);
  }
  const sql = `${RUN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.start_time DESC, r.rowid DESC LIMIT ?`;
  args.push(f.limit ?? 1000);
  return db
    .prepare<(string | number)[], RunRow>(sql)
    .all(...args)
    .map(decodeRun);
}

/**
 * Find a run by full id, unique id prefix (≥ 4 characters) or unique name. NOT_FOUND when nothing matches,
 * INVALID_ARGUMENT naming the candidates when the reference is ambiguous.
 */
export function findRun(db: Database.Database, ref: string): RunRecord {
  const exact = db.prepare<[string], RunRow>(`${RUN_SELECT} WHERE r.id = ?`).get(ref);
  if (exact) return decodeRun(exact);
  const byPrefix =
    ref.length >= 4 && /^[0-9a-f]+$/.test(ref)
      ? db.prepare<[string], RunRow>(`${RUN_SELECT} WHERE r.id LIKE ? LIMIT 10`).all(`${ref}%`)
      : [];
  const byName = db.prepare<[string], RunRow>(`${RUN_SELECT} WHERE r.name = ? LIMIT 10`).all(ref);
  const found = new Map<string, RunRow>();
  for (const r of [...byPrefix, ...byName]) found.set(r.id, r);
  if (found.size === 1) return decodeRun([...found.values()][0]);
  if (found.size === 0) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `no run matches "${ref}" (give a run id, id prefix or name)`, { ref });
  }
  throw new GnnopsError(
    ErrorCodes.INVALID_ARGUMENT,
    `"${ref}" is ambiguous: it matches runs ${[...found.keys()].join(', ')}`,
    { ref, matches: [...found.keys()] },
  );
}

export function runParams(db: Database.Database, runId: string): Record<string, string> {
  const rows = db
    .prepare<[string], { key: string; value: string }>('SELECT key, value FROM params WHERE run_id = ? ORDER BY key')
    .all(runId);
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export function runTags(db: Database.Database, runId: string): Record<string, string> {
  const rows = db
    .prepare<[string], { key: string; value: string }>('SELECT key, value FROM tags WHERE run_id = ? ORDER BY key')
    .all(runId);
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Metric keys of a run, sorted. */
export function metricKeys(db: Database.Database, runId: string): string[] {
  return db
    .prepare<[string], { key: string }>('SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key')
    .all(runId)
    .map((r) => r.key);
}

/** The series of one metric, by step then time. */
export function metricHistory(db: Database.Database, runId: string, key: string): MetricPoint[] {
  return db
    .prepare<[string, string], { step: number; value: number | null; timestamp: number }>(
      'SELECT step, value, timestamp FROM metrics WHERE run_id = ? AND key = ? ORDER BY step, timestamp, rowid',
    )
    .all(runId, key)
    .map((r) => ({ step: r.step, value: r.value ?? Number.NaN, timestamp: r.timestamp }));
}

/** Every point of every metric of a run (for exports), in logging order. */
export function allMetrics(
  db: Database.Database,
  runId: string,
): { key: string; step: number; value: number; timestamp: number }[] {
  return db
    .prepare<[string], { key: string; step: number; value: number | null; timestamp: number }>(
      'SELECT key, step, value, timestamp FROM metrics WHERE run_id = ? ORDER BY rowid',
    )
    .all(runId)
    .map((r) => ({ ...r, value: r.value ?? Number.NaN }));
}

/** The last value of each metric: highest step, ties broken by the latest write. */
export function latestMetrics(db: Database.Database, runId: string): Record<string, { value: number; step: number }> {
  const rows = db
    .prepare<[string], { key: string; step: number; value: number | null }>(
      `SELECT key, step, value FROM (
         SELECT key, step, value, ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, rowid DESC) AS rn
         FROM metrics WHERE run_id = ?) WHERE rn = 1 ORDER BY key`,
    )
    .all(runId);
  return Object.fromEntries(rows.map((r) => [r.key, { value: r.value ?? Number.NaN, step: r.step }]));
}

export function runArtifacts(db: Database.Database, cas: ArtifactStore, runId: string): ArtifactRecord[] {
  return db
    .prepare<[string], { name: string; digest: string; size: number; kind: string; created_at: number }>(
      'SELECT name, digest, size, kind, created_at FROM artifacts WHERE run_id = ? ORDER BY name',
    )
    .all(runId)
    .map((r) => ({
      name: r.name,
      digest: r.digest,
      size: r.size,
      kind: r.kind,
      createdAt: r.created_at,
      path: cas.pathOf(r.digest),
    }));
}

export function runDetail(db: Database.Database, cas: ArtifactStore, ref: string): RunDetail {
  const run = findRun(db, ref);
  const children = db
    .prepare<[string], { id: string }>('SELECT id FROM runs WHERE parent_id = ? ORDER BY start_time')
    .all(run.id)
    .map((r) => r.id);
  // The registry owns model_versions and creates it the first time it opens the workspace; until then no run has
  // a registered version.
  const hasRegistry = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'model_versions'").get();
  const modelVersions = hasRegistry
    ? db
        .prepare<[string], { model: string; version: number }>(
          'SELECT model, version FROM model_versions WHERE run_id = ? ORDER BY model, version',
        )
        .all(run.id)
    : [];
  return {
    run,
    params: runParams(db, run.id),
    metrics: latestMetrics(db, run.id),
    tags: runTags(db, run.id),
    artifacts: runArtifacts(db, cas, run.id),
    lineage: { parent: run.parentId, sweep: run.sweepId, children, modelVersions },
  };
}

export function listExperiments(db: Database.Database): { name: string; runs: number; createdAt: number }[] {
  return db
    .prepare<[], { name: string; runs: number; created_at: number }>(
      `SELECT e.name, e.created_at, COUNT(r.id) AS runs FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
       GROUP BY e.id ORDER BY e.name`,
    )
    .all()
    .map((r) => ({ name: r.name, runs: r.runs, createdAt: r.created_at }));
}

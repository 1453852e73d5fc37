import type Database from 'better-sqlite3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ArtifactStore } from './cas.js';
import { artifactEntity, experimentEntity, metricEntity, paramEntity, runEntity, tagEntity } from './entities.js';
import type { ArtifactRecord, MetricPoint, RunDetail, RunRecord, RunStatus } from './types.js';

const RUN_SELECT = 'SELECT r.*, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id';

const decodeRun = (r: unknown): RunRecord => runEntity.fromRow(r);

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
    .prepare<(string | number)[], unknown>(sql)
    .all(...args)
    .map(decodeRun);
}

/**
 * Find a run by full id, unique id prefix (≥ 4 characters) or unique name. NOT_FOUND when nothing matches,
 * INVALID_ARGUMENT naming the candidates when the reference is ambiguous.
 */
export function findRun(db: Database.Database, ref: string): RunRecord {
  const exact = db.prepare<[string], unknown>(`${RUN_SELECT} WHERE r.id = ?`).get(ref);
  if (exact) return decodeRun(exact);
  const byPrefix =
    ref.length >= 4 && /^[0-9a-f]+$/.test(ref)
      ? db.prepare<[string], unknown>(`${RUN_SELECT} WHERE r.id LIKE ? LIMIT 10`).all(`${ref}%`).map(decodeRun)
      : [];
  const byName = db.prepare<[string], unknown>(`${RUN_SELECT} WHERE r.name = ? LIMIT 10`).all(ref).map(decodeRun);
  const found = new Map<string, RunRecord>();
  for (const r of [...byPrefix, ...byName]) found.set(r.id, r);
  if (found.size === 1) return [...found.values()][0]!;
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
  const rows = db.prepare<[string], unknown>('SELECT * FROM params WHERE run_id = ? ORDER BY key').all(runId);
  return Object.fromEntries(rows.map((r) => paramEntity.fromRow(r)).map((p) => [p.key, p.value]));
}

export function runTags(db: Database.Database, runId: string): Record<string, string> {
  const rows = db.prepare<[string], unknown>('SELECT * FROM tags WHERE run_id = ? ORDER BY key').all(runId);
  return Object.fromEntries(rows.map((r) => tagEntity.fromRow(r)).map((t) => [t.key, t.value]));
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
    .prepare<[string, string], unknown>(
      'SELECT * FROM metrics WHERE run_id = ? AND key = ? ORDER BY step, timestamp, rowid',
    )
    .all(runId, key)
    .map((r) => {
      const m = metricEntity.fromRow(r);
      return { step: m.step, value: m.value, timestamp: m.timestamp };
    });
}

/** Every point of every metric of a run (for exports), in logging order. */
export function allMetrics(
  db: Database.Database,
  runId: string,
): { key: string; step: number; value: number; timestamp: number }[] {
  return db
    .prepare<[string], unknown>('SELECT * FROM metrics WHERE run_id = ? ORDER BY rowid')
    .all(runId)
    .map((r) => {
      const m = metricEntity.fromRow(r);
      return { key: m.key, step: m.step, value: m.value, timestamp: m.timestamp };
    });
}

/** The last value of each metric: highest step, ties broken by the latest write. */
export function latestMetrics(db: Database.Database, runId: string): Record<string, { value: number; step: number }> {
  const rows = db
    .prepare<[string], unknown>(
      `SELECT run_id, key, step, value, timestamp FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, rowid DESC) AS rn
         FROM metrics WHERE run_id = ?) WHERE rn = 1 ORDER BY key`,
    )
    .all(runId)
    .map((r) => metricEntity.fromRow(r));
  return Object.fromEntries(rows.map((r) => [r.key, { value: r.value, step: r.step }]));
}

export function runArtifacts(db: Database.Database, cas: ArtifactStore, runId: string): ArtifactRecord[] {
  return db
    .prepare<[string], unknown>('SELECT * FROM artifacts WHERE run_id = ? ORDER BY name')
    .all(runId)
    .map((r) => {
      const a = artifactEntity.fromRow(r);
      return { ...a, path: cas.pathOf(a.digest) };
    });
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
    .prepare<[], { runs: number }>(
      `SELECT e.*, COUNT(r.id) AS runs FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
       GROUP BY e.id ORDER BY e.name`,
    )
    .all()
    .map((r) => {
      const e = experimentEntity.fromRow(r);
      return { name: e.name, runs: r.runs, createdAt: e.createdAt };
    });
}

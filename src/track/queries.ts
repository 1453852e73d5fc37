import { type SqlDb, type SqlExecutor, type SqlValue, tableExists } from '../db/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ArtifactStore } from './cas.js';
import { artifactEntity, experimentEntity, metricEntity, paramEntity, runEntity, tagEntity } from './entities.js';
import type { ArtifactRecord, MetricPoint, RunDetail, RunRecord, RunStatus } from './types.js';

/**
 * Reads of the tracking tables, in the portable SQL of `SqlDb`. `rowid` is SQLite's implicit row id and, in the
 * PostgreSQL schema, an identity column of the same name, so "in insertion order" is spelled once for both.
 */
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

export async function listRuns(db: SqlExecutor, f: RunFilter = {}): Promise<RunRecord[]> {
  const where: string[] = [];
  const args: SqlValue[] = [];
  const add = (cond: string, v: SqlValue) => {
    args.push(v);
    where.push(cond.replace('?', `$${args.length}`));
  };
  if (f.experiment !== undefined) add('e.name = ?', f.experiment);
  if (f.status !== undefined) add('r.status = ?', f.status);
  if (f.sweepId !== undefined) add('r.sweep_id = ?', f.sweepId);
  if (f.parentId !== undefined) add('r.parent_id = ?', f.parentId);
  args.push(f.limit ?? 1000);
  const sql = `${RUN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.start_time DESC, r.rowid DESC LIMIT $${args.length}`;
  return (await db.query(sql, args)).map(decodeRun);
}

/**
 * Find a run by full id, unique id prefix (≥ 4 characters) or unique name. NOT_FOUND when nothing matches,
 * INVALID_ARGUMENT naming the candidates when the reference is ambiguous.
 */
export async function findRun(db: SqlExecutor, ref: string): Promise<RunRecord> {
  const exact = await db.query(`${RUN_SELECT} WHERE r.id = $1`, [ref]);
  if (exact.length > 0) return decodeRun(exact[0]);
  const byPrefix =
    ref.length >= 4 && /^[0-9a-f]+$/.test(ref)
      ? (await db.query(`${RUN_SELECT} WHERE r.id LIKE $1 LIMIT 10`, [`${ref}%`])).map(decodeRun)
      : [];
  const byName = (await db.query(`${RUN_SELECT} WHERE r.name = $1 LIMIT 10`, [ref])).map(decodeRun);
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

export async function runParams(db: SqlExecutor, runId: string): Promise<Record<string, string>> {
  const rows = await db.query('SELECT * FROM params WHERE run_id = $1 ORDER BY key', [runId]);
  return Object.fromEntries(rows.map((r) => paramEntity.fromRow(r)).map((p) => [p.key, p.value]));
}

export async function runTags(db: SqlExecutor, runId: string): Promise<Record<string, string>> {
  const rows = await db.query('SELECT * FROM tags WHERE run_id = $1 ORDER BY key', [runId]);
  return Object.fromEntries(rows.map((r) => tagEntity.fromRow(r)).map((t) => [t.key, t.value]));
}

/** Metric keys of a run, sorted. */
export async function metricKeys(db: SqlExecutor, runId: string): Promise<string[]> {
  const rows = await db.query<{ key: string }>('SELECT DISTINCT key FROM metrics WHERE run_id = $1 ORDER BY key', [
    runId,
  ]);
  return rows.map((r) => r.key);
}

/** The series of one metric, by step then time. */
export async function metricHistory(db: SqlExecutor, runId: string, key: string): Promise<MetricPoint[]> {
  const rows = await db.query('SELECT * FROM metrics WHERE run_id = $1 AND key = $2 ORDER BY step, timestamp, rowid', [
    runId,
    key,
  ]);
  return rows.map((r) => {
    const m = metricEntity.fromRow(r);
    return { step: m.step, value: m.value, timestamp: m.timestamp };
  });
}

/** Every point of every metric of a run (for exports), in logging order. */
export async function allMetrics(
  db: SqlExecutor,
  runId: string,
): Promise<{ key: string; step: number; value: number; timestamp: number }[]> {
  const rows = await db.query('SELECT * FROM metrics WHERE run_id = $1 ORDER BY rowid', [runId]);
  return rows.map((r) => {
    const m = metricEntity.fromRow(r);
    return { key: m.key, step: m.step, value: m.value, timestamp: m.timestamp };
  });
}

/** The last value of each metric: highest step, ties broken by the latest write. */
export async function latestMetrics(
  db: SqlExecutor,
  runId: string,
): Promise<Record<string, { value: number; step: number }>> {
  const rows = await db.query(
    `SELECT run_id, key, step, value, timestamp FROM (
       SELECT run_id, key, step, value, timestamp,
              ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, rowid DESC) AS rn
       FROM metrics WHERE run_id = $1) AS latest WHERE rn = 1 ORDER BY key`,
    [runId],
  );
  return Object.fromEntries(
    rows.map((r) => metricEntity.fromRow(r)).map((r) => [r.key, { value: r.value, step: r.step }]),
  );
}

/** latestMetrics of many runs in a few queries (a runs table would otherwise cost one round trip per run). */
export async function latestMetricsOfRuns(
  db: SqlExecutor,
  runIds: readonly string[],
): Promise<Map<string, Record<string, { value: number; step: number }>>> {
  const out = new Map<string, Record<string, { value: number; step: number }>>();
  for (const id of runIds) out.set(id, {});
  const ids = [...out.keys()];
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const rows = await db.query(
      `SELECT run_id, key, step, value, timestamp FROM (
         SELECT run_id, key, step, value, timestamp,
                ROW_NUMBER() OVER (PARTITION BY run_id, key ORDER BY step DESC, timestamp DESC, rowid DESC) AS rn
         FROM metrics WHERE run_id IN (${chunk.map((_, i) => `$${i + 1}`).join(', ')})) AS latest
       WHERE rn = 1 ORDER BY run_id, key`,
      chunk,
    );
    for (const r of rows.map((row) => metricEntity.fromRow(row))) {
      out.get(r.runId)![r.key] = { value: r.value, step: r.step };
    }
  }
  return out;
}

export async function runArtifacts(db: SqlExecutor, cas: ArtifactStore, runId: string): Promise<ArtifactRecord[]> {
  const rows = await db.query('SELECT * FROM artifacts WHERE run_id = $1 ORDER BY name', [runId]);
  return rows.map((r) => {
    const a = artifactEntity.fromRow(r);
    return { ...a, path: cas.pathOf(a.digest) };
  });
}

export async function runDetail(db: SqlDb, cas: ArtifactStore, ref: string): Promise<RunDetail> {
  const run = await findRun(db, ref);
  const children = (
    await db.query<{ id: string }>('SELECT id FROM runs WHERE parent_id = $1 ORDER BY start_time', [run.id])
  ).map((r) => r.id);
  // The registry owns model_versions and creates it the first time it opens the workspace; until then no run has
  // a registered version.
  const modelVersions = (await tableExists(db, 'model_versions'))
    ? await db.query<{ model: string; version: number }>(
        'SELECT model, version FROM model_versions WHERE run_id = $1 ORDER BY model, version',
        [run.id],
      )
    : [];
  return {
    run,
    params: await runParams(db, run.id),
    metrics: await latestMetrics(db, run.id),
    tags: await runTags(db, run.id),
    artifacts: await runArtifacts(db, cas, run.id),
    lineage: { parent: run.parentId, sweep: run.sweepId, children, modelVersions },
  };
}

export async function listExperiments(db: SqlExecutor): Promise<{ name: string; runs: number; createdAt: number }[]> {
  const rows = await db.query<{ runs: number }>(
    `SELECT e.*, COUNT(r.id) AS runs FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
     GROUP BY e.id ORDER BY e.name`,
  );
  return rows.map((r) => {
    const e = experimentEntity.fromRow(r);
    return { name: e.name, runs: r.runs, createdAt: e.createdAt };
  });
}

import type Database from 'better-sqlite3';
import type { SqlDb, SqlValue } from '../db/index.js';
import type { RequestLogEntry } from './types.js';

function blob(a: Float32Array | Int32Array | null): Buffer | null {
  return a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const COLUMNS = [
  'ts',
  'request_id',
  'item',
  'route',
  'model',
  'version',
  'kind',
  'num_nodes',
  'num_edges',
  'num_features',
  'mean_degree',
  'max_degree',
  'sampled',
  'features',
  'node_ids',
  'degrees',
  'predictions',
  'confidence',
  'temperature',
  'inference_ms',
  'ood_score',
  'replica',
] as const;

function values(r: RequestLogEntry, replica: string): SqlValue[] {
  return [
    r.ts,
    r.requestId,
    r.item,
    r.route,
    r.model,
    r.version,
    r.kind,
    r.numNodes,
    r.numEdges,
    r.numFeatures,
    r.meanDegree,
    r.maxDegree,
    r.features ? 1 : 0,
    blob(r.features),
    blob(r.nodeIds),
    blob(r.degrees),
    blob(r.predictions),
    blob(r.confidence),
    r.temperature,
    r.inferenceMs,
    blob(r.oodScore ?? null),
    replica,
  ];
}

/**
 * The SQLite writer thread's inserter: one prepared statement run per row inside one transaction, on the raw
 * better-sqlite3 connection (the fastest path SQLite has; a multi-row statement is no faster there).
 */
export function batchInserter(db: Database.Database, replica: string): (rows: RequestLogEntry[]) => void {
  const insert = db.prepare(
    `INSERT INTO request_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  return db.transaction((rows: RequestLogEntry[]) => {
    for (const r of rows) insert.run(...values(r, replica));
  });
}

/** Rows per statement: PostgreSQL binds at most 65,535 parameters per statement, SQLite 32,766. */
const MAX_ROWS_PER_STATEMENT = {
  postgres: Math.floor(65_535 / COLUMNS.length),
  sqlite: Math.floor(32_766 / COLUMNS.length),
} as const;

/**
 * Insert a batch in one transaction through the portable interface: multi-row INSERTs of up to
 * MAX_ROWS_PER_STATEMENT rows each (one round trip each on PostgreSQL, blobs sent as binary parameters). On PostgreSQL a
 * row already stored (same replica, request id and item: a retried batch whose first commit did get through) is
 * skipped. Returns the rows inserted.
 */
export async function insertRequestLog(db: SqlDb, rows: readonly RequestLogEntry[], replica: string): Promise<number> {
  if (rows.length === 0) return 0;
  const once = db.dialect === 'postgres' ? ' ON CONFLICT (replica, request_id, item) DO NOTHING' : '';
  const per = MAX_ROWS_PER_STATEMENT[db.dialect];
  return db.transaction(async (tx) => {
    let n = 0;
    for (let s = 0; s < rows.length; s += per) {
      const chunk = rows.slice(s, s + per);
      const params: SqlValue[] = [];
      const tuples: string[] = [];
      for (const r of chunk) {
        const base = params.length;
        tuples.push(`(${COLUMNS.map((_, i) => `$${base + i + 1}`).join(', ')})`);
        params.push(...values(r, replica));
      }
      n += await tx.run(`INSERT INTO request_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}${once}`, params);
    }
    return n;
  });
}

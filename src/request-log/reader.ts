import type { SqlExecutor, SqlValue } from '../db/index.js';
import type { RequestLogEntry } from './types.js';

interface Row {
  ts: number;
  request_id: string;
  item: number;
  route: string;
  model: string;
  version: string;
  kind: 'subgraph' | 'nodes';
  num_nodes: number;
  num_edges: number;
  num_features: number;
  mean_degree: number;
  max_degree: number;
  features: Uint8Array | null;
  node_ids: Uint8Array | null;
  degrees: Uint8Array;
  predictions: Uint8Array;
  confidence: Uint8Array;
  temperature: number;
  inference_ms: number;
  ood_score: Uint8Array | null;
  replica: string;
}

/** Copy a BLOB into an aligned typed array (driver buffers carry no alignment guarantee). */
function f32(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
function i32(b: Uint8Array): Int32Array {
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export interface WindowOptions {
  /** The last N rows (default 5,000), newest first before re-ordering. */
  last?: number;
  /** Only rows with ts ≥ since (ms). */
  since?: number;
  /** Only rows with ts < until (ms). */
  until?: number;
  /** Only this model name (and version, if given). */
  model?: string;
  version?: string;
  /** Only rows of this kind. */
  kind?: 'subgraph' | 'nodes';
  /** Only rows that carry sampled features. */
  sampledOnly?: boolean;
  /** Only rows logged by this server (serve.replica); default every replica's, the union. */
  replica?: string;
}

function where(opts: WindowOptions): { sql: string; args: SqlValue[] } {
  const parts: string[] = [];
  const args: SqlValue[] = [];
  const add = (cond: string, v: SqlValue) => {
    args.push(v);
    parts.push(cond.replace('?', `$${args.length}`));
  };
  if (opts.since !== undefined) add('ts >= ?', opts.since);
  if (opts.until !== undefined) add('ts < ?', opts.until);
  if (opts.model !== undefined) add('model = ?', opts.model);
  if (opts.version !== undefined) add('version = ?', opts.version);
  if (opts.kind !== undefined) add('kind = ?', opts.kind);
  if (opts.replica !== undefined) add('replica = ?', opts.replica);
  if (opts.sampledOnly) parts.push('sampled = 1');
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/**
 * Read a window of the request log, oldest first: the "current" data of a drift report. "Last" is by id, the
 * order rows were stored in (on PostgreSQL, across replicas, the order their inserts took ids).
 */
export async function readRequestLog(db: SqlExecutor, opts: WindowOptions = {}): Promise<RequestLogEntry[]> {
  const w = where(opts);
  const sql = `SELECT ts, request_id, item, route, model, version, kind, num_nodes, num_edges, num_features,
    mean_degree, max_degree, features, node_ids, degrees, predictions, confidence, temperature, inference_ms, ood_score,
    replica
    FROM request_log ${w.sql} ORDER BY id DESC LIMIT $${w.args.length + 1}`;
  const rows = await db.query<Row & Record<string, unknown>>(sql, [...w.args, opts.last ?? 5000]);
  rows.reverse();
  return rows.map((r) => ({
    ts: r.ts,
    requestId: r.request_id,
    item: r.item,
    route: r.route,
    model: r.model,
    version: r.version,
    kind: r.kind,
    numNodes: r.num_nodes,
    numEdges: r.num_edges,
    numFeatures: r.num_features,
    meanDegree: r.mean_degree,
    maxDegree: r.max_degree,
    features: r.features ? f32(r.features) : null,
    nodeIds: r.node_ids ? i32(r.node_ids) : null,
    degrees: i32(r.degrees),
    predictions: i32(r.predictions),
    confidence: f32(r.confidence),
    temperature: r.temperature,
    oodScore: r.ood_score ? f32(r.ood_score) : null,
    inferenceMs: r.inference_ms,
    replica: r.replica,
  }));
}

/** Rows in the request log (optionally since a time, of one replica). */
export async function countRequestLog(
  db: SqlExecutor,
  opts: { since?: number; replica?: string } = {},
): Promise<number> {
  const w = where(opts);
  const rows = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM request_log ${w.sql}`, w.args);
  return rows[0]?.n ?? 0;
}

/** One server seen in the request log: its rows and its last row's time. */
export interface ReplicaSummary {
  replica: string;
  rows: number;
  /** Unix ms of its newest row. */
  lastTs: number;
}

/** The replicas that logged rows (optionally since a time), busiest first. */
export async function requestLogReplicas(db: SqlExecutor, opts: { since?: number } = {}): Promise<ReplicaSummary[]> {
  const w = where(opts);
  const rows = await db.query<{ replica: string; n: number; last_ts: number }>(
    `SELECT replica, COUNT(*) AS n, MAX(ts) AS last_ts FROM request_log ${w.sql} GROUP BY replica ORDER BY n DESC, replica`,
    w.args,
  );
  return rows.map((r) => ({ replica: r.replica, rows: r.n, lastTs: r.last_ts }));
}

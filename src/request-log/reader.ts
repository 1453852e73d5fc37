import type Database from 'better-sqlite3';
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
  features: Buffer | null;
  node_ids: Buffer | null;
  degrees: Buffer;
  predictions: Buffer;
  confidence: Buffer;
  temperature: number;
  inference_ms: number;
  ood_score: Buffer | null;
}

/** Copy a BLOB into an aligned typed array (SQLite buffers carry no alignment guarantee). */
function f32(b: Buffer): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
function i32(b: Buffer): Int32Array {
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
}

/** Read a window of the request log, oldest first: the "current" data of a drift report. */
export function readRequestLog(db: Database.Database, opts: WindowOptions = {}): RequestLogEntry[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (opts.since !== undefined) {
    where.push('ts >= ?');
    args.push(opts.since);
  }
  if (opts.until !== undefined) {
    where.push('ts < ?');
    args.push(opts.until);
  }
  if (opts.model !== undefined) {
    where.push('model = ?');
    args.push(opts.model);
  }
  if (opts.version !== undefined) {
    where.push('version = ?');
    args.push(opts.version);
  }
  if (opts.kind !== undefined) {
    where.push('kind = ?');
    args.push(opts.kind);
  }
  if (opts.sampledOnly) where.push('sampled = 1');
  const sql = `SELECT * FROM request_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  args.push(opts.last ?? 5000);
  const rows = db.prepare<(string | number)[], Row>(sql).all(...args);
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
  }));
}

/** Rows in the request log (optionally since a time). */
export function countRequestLog(db: Database.Database, since?: number): number {
  const row =
    since === undefined
      ? db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM request_log').get()
      : db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM request_log WHERE ts >= ?').get(since);
  return row?.n ?? 0;
}

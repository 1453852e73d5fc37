import type Database from 'better-sqlite3';
import type { RequestLogEntry } from './types.js';

function blob(a: Float32Array | Int32Array | null): Buffer | null {
  return a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A function that inserts rows into request_log in one transaction (used inline and by the writer thread). */
export function batchInserter(db: Database.Database): (rows: RequestLogEntry[]) => void {
  const insert = db.prepare(
    `INSERT INTO request_log (ts, request_id, item, route, model, version, kind, num_nodes, num_edges,
      num_features, mean_degree, max_degree, sampled, features, node_ids, degrees, predictions, confidence,
      temperature, inference_ms, ood_score)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction((rows: RequestLogEntry[]) => {
    for (const r of rows) {
      insert.run(
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
      );
    }
  });
}

import type { Migration } from '../track/migrations.js';

/**
 * The request log, in the workspace store (`gnnops.db`), applied with `store.applyMigrations`. One row per
 * served subgraph (a batched /predict gives one row per instance, sharing request_id) or per /v1/predict/nodes
 * request. Arrays are little-endian typed-array BLOBs (compact, and a Float32Array view away for drift):
 * - features: float32, num_nodes × num_features, only when the request was sampled (serve.log_sample_rate);
 * - node_ids: int32, the queried ids (node requests);
 * - degrees: int32 per node, in-degree within the request's edge_index (subgraph) or in the stored graph (nodes);
 * - predictions: int32 class per node; confidence: float32 top probability per node, as served: calibrated with the
 *   softmax temperature in `temperature` (1 when the request asked for raw probabilities or the version has none),
 *   so a reader of confidences knows what scale they are on;
 * - ood_score: float32 per node, the OOD score served with the answer (monitor/ood.ts), NULL when the request was
 *   answered without one.
 */
export const requestLogMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'serve/1',
    sql: `
CREATE TABLE request_log (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  item INTEGER NOT NULL DEFAULT 0,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('subgraph', 'nodes')),
  num_nodes INTEGER NOT NULL,
  num_edges INTEGER NOT NULL,
  num_features INTEGER NOT NULL,
  mean_degree REAL NOT NULL,
  max_degree INTEGER NOT NULL,
  sampled INTEGER NOT NULL,
  features BLOB,
  node_ids BLOB,
  degrees BLOB NOT NULL,
  predictions BLOB NOT NULL,
  confidence BLOB NOT NULL,
  inference_ms REAL NOT NULL
);
CREATE INDEX request_log_by_ts ON request_log(ts);
CREATE INDEX request_log_by_model ON request_log(model, version, ts);
`,
  },
  {
    // The softmax temperature behind each row's confidences; rows written before it existed were served raw (T = 1).
    id: 'serve/2',
    sql: 'ALTER TABLE request_log ADD COLUMN temperature REAL NOT NULL DEFAULT 1;',
  },
  {
    // The served OOD score per node; NULL for rows served without one, and for every row written before it existed.
    id: 'serve/3',
    sql: 'ALTER TABLE request_log ADD COLUMN ood_score BLOB;',
  },
]);

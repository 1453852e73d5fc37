import { z } from 'zod';

/** Default latency buckets (seconds): 1 ms … 30 s, dense where a healthy server lives (1–50 ms). */
export const DEFAULT_LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

export const Runtimes = ['native', 'onnx'] as const;

export const serveSection = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(8000).describe('TCP port (0 = any free port).'),
    host: z.string().min(1).default('127.0.0.1').describe('Interface to bind; 0.0.0.0 exposes the API.'),
    model: z.string().optional().describe('Model to serve: NAME@ALIAS (follows the alias) or NAME/VERSION.'),
    runtime: z.enum(Runtimes).default('native').describe('Inference runtime.'),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe('Server processes sharing the port (Node cluster); metrics and admin reloads span all of them.'),
    body_limit: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .describe('Maximum request body in bytes (413 above).'),
    request_timeout_s: z
      .number()
      .min(0.1)
      .max(3600)
      .default(60)
      .describe(
        'Longest time to receive a whole request, headers and body (408 with a JSON error after it). A 16 MB body at 2 Mbit/s takes ~64 s: raise it for slow links and large bodies.',
      ),
    max_nodes: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Maximum nodes per subgraph and node ids per request (413 above).'),
    max_edges: z.number().int().min(1).default(200_000).describe('Maximum edges per subgraph (413 above).'),
    max_features: z.number().int().min(1).default(100_000).describe('Maximum feature columns accepted in x.'),
    max_batch: z.number().int().min(1).default(64).describe('Maximum instances in one batched request (413 above).'),
    explain_max_nodes: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(20)
      .describe('Maximum node ids per POST /v1/explain/nodes request (413 above).'),
    explain_time_limit_s: z
      .number()
      .min(0.01)
      .max(3600)
      .default(10)
      .describe(
        'Longest time one node explanation may take (413 past it). Explanations run on the request thread: saliency takes milliseconds, GNNExplainer (100 optimisation steps) about a second on a Cora node.',
      ),
    calibrated: z
      .boolean()
      .default(true)
      .describe(
        "Serve calibrated probabilities: softmax(logits / T) with the version's temperature T, fitted on the validation mask when it was registered (T = 1 for a version without one). false serves the raw softmax(logits). A request can ask for either with `calibrated` in its body; every response and request-log row says which T was applied.",
      ),
    ood_score: z
      .boolean()
      .default(false)
      .describe(
        "Add a per-node out-of-distribution score to prediction responses (`ood_score`, higher = less like the training data): GNNSafe's energy −logsumexp(logits) propagated K = 2 steps with α = 0.5 over the request's subgraph, or over the stored graph for node queries. A request can ask with `ood_score` in its body.",
      ),
    log_requests: z
      .boolean()
      .default(true)
      .describe(
        'Log requests and predictions to the workspace store (the SQLite file, or the PostgreSQL database of store.url / GNNOPS_DATABASE_URL that every replica shares).',
      ),
    replica: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s]+$/, 'no whitespace')
      .optional()
      .describe(
        "This server's name in the request log and the drift-check history (default hostname:pid of the serving process; a cluster's workers share their primary's). Readers filter by it: drift report --replica, GET /v1/drift?replica=.",
      ),
    log_sample_rate: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Share of requests whose input features are stored (predictions are always logged).'),
    log_max_inputs_per_s: z
      .number()
      .min(0)
      .default(200)
      .describe(
        'At most this many sampled inputs stored per second (0 = no cap): a quiet server stores every input, a busy one a time-uniform share, so the log writes at most ~5 MB/s of 20 × 300 inputs at any traffic.',
      ),
    log_queue_capacity: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Request-log queue size; when full, log rows are dropped (never requests) and counted.'),
    log_flush_ms: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe(
        "Request-log flush interval in milliseconds. Short intervals spread the writer thread's work evenly; long ones make bursts that show in tail latency.",
      ),
    log_batch_size: z.number().int().min(1).default(1000).describe('Maximum rows per request-log transaction.'),
    log_retention_rows: z
      .number()
      .int()
      .min(0)
      .default(100_000)
      .describe(
        'Keep at most this many newest request-log rows (0 = unlimited). The server deletes older ones in the background, ' +
          'in short chunks, so the store stops growing. 100,000 rows are at most ~2.4 GB when every row carries a sampled ' +
          '20 × 300 feature matrix (24 KB; ~10 MB for node queries) and 20× the default drift window (drift.window): keep ' +
          'this above drift.window, and lower serve.log_sample_rate to keep a longer history in the same space.',
      ),
    log_retention_hours: z
      .number()
      .min(0)
      .default(0)
      .describe(
        'Also delete request-log rows older than this many hours (0 = off, the default: the row limit already bounds the ' +
          'disk). Set it for a data-retention policy on logged inputs, e.g. 168 keeps one week.',
      ),
    cors_origins: z
      .array(z.string())
      .default([])
      .describe('Origins allowed by CORS (empty = CORS off, ["*"] = any origin).'),
    require_api_key: z
      .boolean()
      .default(false)
      .describe('Require GNNOPS_API_KEY on the public prediction routes too (admin routes always need it).'),
    latency_buckets: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_LATENCY_BUCKETS])
      .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), 'buckets must be strictly increasing')
      .describe('Histogram buckets in seconds for request and inference durations.'),
    drift_interval_s: z
      .number()
      .min(0)
      .default(60)
      .describe('Seconds between background drift checks that update the drift gauges (0 = off).'),
    shutdown_grace_s: z
      .number()
      .min(0)
      .default(0)
      .describe(
        'On SIGTERM, report not-ready for this many seconds (still serving) before closing, so load balancers stop routing first.',
      ),
    reload_poll_s: z
      .number()
      .min(0)
      .default(5)
      .describe(
        'Seconds between registry polls for an alias move (hot reload; 0 = off). With a PostgreSQL store the move is also pushed (LISTEN/NOTIFY) and served at once; the poll is the fallback.',
      ),
  })
  .describe('Inference server (gnnops serve).');

export type ServeConfig = z.infer<typeof serveSection>;

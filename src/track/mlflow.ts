/**
 * Push tracked runs to an MLflow tracking server through its REST API 2.0 (`/api/2.0/mlflow/…`):
 *   experiments/get-by-name (404 RESOURCE_DOES_NOT_EXIST → experiments/create), runs/create,
 *   runs/log-batch in chunks within MLflow's documented limits, runs/update with status and end_time.
 * Artifacts are not uploaded (MLflow stores them through a separate artifact repository); their names and
 * digests are sent as tags instead. Tested against a fake server that validates every request; not against a
 * real MLflow server (none was reachable from the build machine).
 */
import { insertRow } from '../db/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { exportEntity } from './entities.js';
import { allMetrics } from './queries.js';
import type { Tracker } from './tracker.js';
import type { RunRecord, RunStatus } from './types.js';

/** MLflow's LogBatch limits (per request). */
export const MLFLOW_LIMITS = Object.freeze({
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  keyLength: 250,
  /** MAX_PARAM_VAL_LENGTH since MLflow 2.8 (mlflow/mlflow#9709); 1.28–2.7 servers allow 500, older ones 250. */
  paramValueLength: 6000,
  /** Tag values all backends are guaranteed to store. */
  tagValueLength: 5000,
});

export interface MlflowMetric {
  key: string;
  /** Non-finite values use the proto3 JSON spellings "NaN", "Infinity", "-Infinity". */
  value: number | string;
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface MlflowExportOptions {
  /** Tracking server base URL, e.g. http://127.0.0.1:5000. */
  url: string;
  /** Experiment name on the server; default: the run's own experiment. */
  experiment?: string;
  /** Export again even when this run was already exported to this URL. */
  force?: boolean;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Cut param values to this length (default 6000; use 500 for MLflow servers older than 2.8). */
  maxParamLength?: number;
}

export interface MlflowExportResult {
  runId: string;
  remoteRunId: string;
  experimentId: string;
  /** True when skipped because it was exported before (without `force`). */
  skipped: boolean;
  requests: number;
  params: number;
  metrics: number;
  tags: number;
  /** Params/tags whose value was cut to the server's limit. */
  truncated: string[];
}

const STATUS: Record<RunStatus, string> = {
  running: 'RUNNING',
  finished: 'FINISHED',
  failed: 'FAILED',
  killed: 'KILLED',
};

function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

/**
 * Split params, tags and metrics into LogBatch payloads: each with ≤ 100 params, ≤ 100 tags, ≤ 1000 metrics
 * and ≤ 1000 entities in total, keeping each kind in its original order.
 */
export function chunkLogBatch(
  params: readonly KeyValue[],
  tags: readonly KeyValue[],
  metrics: readonly MlflowMetric[],
): { params: KeyValue[]; tags: KeyValue[]; metrics: MlflowMetric[] }[] {
  const out: { params: KeyValue[]; tags: KeyValue[]; metrics: MlflowMetric[] }[] = [];
  let p = 0;
  let t = 0;
  let m = 0;
  while (p < params.length || t < tags.length || m < metrics.length) {
    const ps = params.slice(p, p + MLFLOW_LIMITS.params);
    const ts = tags.slice(t, t + MLFLOW_LIMITS.tags);
    const room = Math.min(MLFLOW_LIMITS.metrics, MLFLOW_LIMITS.total - ps.length - ts.length);
    const ms = metrics.slice(m, m + room);
    p += ps.length;
    t += ts.length;
    m += ms.length;
    out.push({ params: ps, tags: ts, metrics: ms });
  }
  return out;
}

class MlflowClient {
  requests = 0;
  constructor(
    readonly base: string,
    readonly headers: Record<string, string>,
    readonly timeoutMs: number,
  ) {}

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const url = `${this.base}/api/2.0/mlflow/${path}`;
    this.requests++;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new GnnopsError(ErrorCodes.REMOTE_FAILED, `MLflow ${method} ${url} failed: ${(e as Error).message}`, {
        url,
      });
    }
    const text = await res.text();
    let json: unknown = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: res.status, json: json as T };
  }

  async ok<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const r = await this.call<T & { error_code?: string; message?: string }>(method, path, body);
    if (r.status < 200 || r.status >= 300) {
      throw new GnnopsError(
        ErrorCodes.REMOTE_FAILED,
        `MLflow ${path} returned HTTP ${r.status}${r.json.error_code ? ` ${r.json.error_code}` : ''}: ${r.json.message ?? ''}`,
        { path, status: r.status, errorCode: r.json.error_code },
      );
    }
    return r.json;
  }

  /** experiments/get-by-name, creating the experiment on RESOURCE_DOES_NOT_EXIST. */
  async experimentId(name: string): Promise<string> {
    type Got = { experiment?: { experiment_id?: string }; error_code?: string; message?: string };
    const get = () => this.call<Got>('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    const r = await get();
    if (r.status === 200 && r.json.experiment?.experiment_id) return r.json.experiment.experiment_id;
    if (r.json.error_code !== 'RESOURCE_DOES_NOT_EXIST') {
      throw new GnnopsError(
        ErrorCodes.REMOTE_FAILED,
        `MLflow experiments/get-by-name "${name}" returned HTTP ${r.status} ${r.json.error_code ?? ''}: ${r.json.message ?? ''}`,
        { status: r.status },
      );
    }
    const c = await this.call<{ experiment_id?: string; error_code?: string }>('POST', 'experiments/create', { name });
    if (c.status === 200 && c.json.experiment_id) return c.json.experiment_id;
    // Someone else created it in between.
    if (c.json.error_code === 'RESOURCE_ALREADY_EXISTS') {
      const again = await get();
      if (again.json.experiment?.experiment_id) return again.json.experiment.experiment_id;
    }
    throw new GnnopsError(ErrorCodes.REMOTE_FAILED, `MLflow experiments/create "${name}" failed (HTTP ${c.status})`, {
      status: c.status,
    });
  }
}

function cut(kv: KeyValue, max: number, truncated: string[]): KeyValue {
  if (kv.value.length <= max) return kv;
  truncated.push(kv.key);
  return { key: kv.key, value: kv.value.slice(0, max) };
}

/** The tags that describe a run's provenance in MLflow's conventions, plus gnnops' own. */
function systemTags(run: RunRecord, user: string): KeyValue[] {
  const t: KeyValue[] = [
    { key: 'mlflow.user', value: user },
    { key: 'mlflow.source.name', value: 'gnnops' },
    { key: 'mlflow.source.type', value: 'LOCAL' },
    { key: 'gnnops.run_id', value: run.id },
    { key: 'gnnops.experiment', value: run.experiment },
    { key: 'gnnops.version', value: run.gnnopsVersion },
    { key: 'gnnops.host', value: run.host },
  ];
  if (run.gitSha) t.push({ key: 'mlflow.source.git.commit', value: run.gitSha });
  if (run.gitDirty !== null) t.push({ key: 'gnnops.git_dirty', value: String(run.gitDirty) });
  if (run.datasetName) t.push({ key: 'gnnops.dataset.name', value: run.datasetName });
  if (run.datasetHash) t.push({ key: 'gnnops.dataset.hash', value: run.datasetHash });
  if (run.statusReason) t.push({ key: 'gnnops.status_reason', value: run.statusReason });
  if (run.parentId) t.push({ key: 'gnnops.parent_run_id', value: run.parentId });
  if (run.sweepId) t.push({ key: 'gnnops.sweep_id', value: run.sweepId });
  return t;
}

/** Export runs (ids, prefixes or names) one after another; stops at the first server error. */
export async function exportRunsToMlflow(
  tracker: Tracker,
  refs: readonly string[],
  opts: MlflowExportOptions,
): Promise<MlflowExportResult[]> {
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--mlflow URL "${opts.url}" is not a valid URL`, {
      url: opts.url,
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--mlflow URL "${opts.url}" must be http(s)`, { url: opts.url });
  }
  const target = base.toString().replace(/\/+$/, '');
  const client = new MlflowClient(target, opts.headers ?? {}, opts.timeoutMs ?? 30_000);
  const db = tracker.store.sql;
  const runs: RunRecord[] = [];
  for (const r of refs) runs.push(await tracker.getRun(r));
  const experiments = new Map<string, string>();
  const user = process.env.USER ?? 'gnnops';
  const results: MlflowExportResult[] = [];

  for (const run of runs) {
    const before = client.requests;
    const found = await db.query('SELECT * FROM exports WHERE run_id = $1 AND target = $2', [run.id, target]);
    const prior = found.length === 0 ? undefined : exportEntity.fromRow(found[0]);
    const expName = opts.experiment ?? run.experiment;
    if (prior && !opts.force) {
      results.push({
        runId: run.id,
        remoteRunId: prior.remoteId,
        experimentId: '',
        skipped: true,
        requests: 0,
        params: 0,
        metrics: 0,
        tags: 0,
        truncated: [],
      });
      continue;
    }
    let expId = experiments.get(expName);
    if (!expId) {
      expId = await client.experimentId(expName);
      experiments.set(expName, expId);
    }
    const truncated: string[] = [];
    const created = await client.ok<{ run?: { info?: { run_id?: string } } }>('POST', 'runs/create', {
      experiment_id: expId,
      run_name: run.name,
      start_time: run.startTime,
      tags: systemTags(run, user).map((t) => cut(t, MLFLOW_LIMITS.tagValueLength, truncated)),
    });
    const remoteId = created.run?.info?.run_id;
    if (!remoteId) throw new GnnopsError(ErrorCodes.REMOTE_FAILED, 'MLflow runs/create returned no run.info.run_id');

    const params = Object.entries(await tracker.params(run.id)).map(([key, value]) =>
      cut({ key, value }, opts.maxParamLength ?? MLFLOW_LIMITS.paramValueLength, truncated),
    );
    const tags = [
      ...Object.entries(await tracker.tags(run.id)).map(([key, value]) => ({ key, value })),
      ...(await tracker.artifacts(run.id)).map((a) => ({
        key: `gnnops.artifact.${a.name}`,
        value: `${a.kind} sha256:${a.digest} ${a.size} B`,
      })),
    ].map((t) => cut(t, MLFLOW_LIMITS.tagValueLength, truncated));
    const metrics: MlflowMetric[] = (await allMetrics(db, run.id)).map((m) => ({
      key: m.key,
      value: jsonNumber(m.value),
      timestamp: m.timestamp,
      step: m.step,
    }));
    for (const kv of [...params, ...tags, ...metrics]) {
      if (kv.key.length > MLFLOW_LIMITS.keyLength) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `key "${kv.key.slice(0, 40)}…" is ${kv.key.length} characters; MLflow allows ${MLFLOW_LIMITS.keyLength}`,
        );
      }
    }
    for (const batch of chunkLogBatch(params, tags, metrics)) {
      await client.ok('POST', 'runs/log-batch', { run_id: remoteId, ...batch });
    }
    await client.ok('POST', 'runs/update', {
      run_id: remoteId,
      status: STATUS[run.status],
      ...(run.endTime !== null ? { end_time: run.endTime } : {}),
    });
    const row = exportEntity.toRow({ runId: run.id, target, remoteId, exportedAt: Date.now() });
    await insertRow(db, exportEntity.table, row, { onConflict: { update: ['run_id', 'target'] } });
    results.push({
      runId: run.id,
      remoteRunId: remoteId,
      experimentId: expId,
      skipped: false,
      requests: client.requests - before,
      params: params.length,
      metrics: metrics.length,
      tags: tags.length,
      truncated,
    });
  }
  return results;
}

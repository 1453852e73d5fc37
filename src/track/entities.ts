/**
 * The tracking store's entities: how each record maps to its table's columns and to its JSON view. The SQL that
 * reads and writes them stays in the store modules (queries, tracker, run).
 */
import { codecs as c, defineEntity } from '../util/entity.js';
import { type ArtifactRecord, type RunRecord, RunStatuses } from './types.js';

export interface ExperimentRecord {
  name: string;
  createdAt: number;
}

export const experimentEntity = defineEntity<ExperimentRecord>()({
  name: 'experiment',
  table: 'experiments',
  columns: {
    name: { column: 'name', codec: c.text },
    createdAt: { column: 'created_at', codec: c.int },
  },
});

/**
 * A run as read with its experiment's name joined in (`experiment`); the table itself holds `experiment_id`.
 * The JSON view is the dashboard's run summary: it leaves out the config and what only the tracker needs.
 */
export const runEntity = defineEntity<RunRecord>()({
  name: 'run',
  table: 'runs',
  columns: {
    id: { column: 'id', codec: c.text },
    experiment: { column: 'experiment', codec: c.text },
    name: { column: 'name', codec: c.text },
    status: { column: 'status', codec: c.oneOf(RunStatuses) },
    statusReason: { column: 'status_reason', codec: c.nullable(c.text) },
    startTime: { column: 'start_time', codec: c.int },
    endTime: { column: 'end_time', codec: c.nullable(c.int) },
    gitSha: { column: 'git_sha', codec: c.nullable(c.text) },
    gitDirty: { column: 'git_dirty', codec: c.nullable(c.bool), json: false },
    config: { column: 'config_json', codec: c.json<unknown>('a config'), json: false },
    datasetName: { column: 'dataset_name', codec: c.nullable(c.text), json: 'dataset' },
    datasetHash: { column: 'dataset_hash', codec: c.nullable(c.text) },
    host: { column: 'host', codec: c.text, json: false },
    pid: { column: 'pid', codec: c.int, json: false },
    heartbeatAt: { column: 'heartbeat_at', codec: c.int, json: false },
    gnnopsVersion: { column: 'gnnops_version', codec: c.text, json: false },
    parentId: { column: 'parent_id', codec: c.nullable(c.text) },
    sweepId: { column: 'sweep_id', codec: c.nullable(c.text) },
  },
});

/** A key/value row of a run: params (write-once) and tags (mutable) share the shape. */
export interface RunKeyValue {
  runId: string;
  key: string;
  value: string;
}

const keyValueColumns = {
  runId: { column: 'run_id', codec: c.text },
  key: { column: 'key', codec: c.text },
  value: { column: 'value', codec: c.text },
} as const;

export const paramEntity = defineEntity<RunKeyValue>()({ name: 'param', table: 'params', columns: keyValueColumns });
export const tagEntity = defineEntity<RunKeyValue>()({ name: 'tag', table: 'tags', columns: keyValueColumns });

export interface MetricRow {
  runId: string;
  key: string;
  step: number;
  /** NaN is stored as NULL and read back as NaN. */
  value: number;
  timestamp: number;
}

export const metricEntity = defineEntity<MetricRow>()({
  name: 'metric',
  table: 'metrics',
  columns: {
    runId: { column: 'run_id', codec: c.text },
    key: { column: 'key', codec: c.text },
    step: { column: 'step', codec: c.int },
    value: { column: 'value', codec: c.metricValue },
    timestamp: { column: 'timestamp', codec: c.int },
  },
});

/** An artifact as stored; its blob's path is not a column (the content-addressed folder derives it). */
export type StoredArtifact = Omit<ArtifactRecord, 'path'>;

export const artifactEntity = defineEntity<StoredArtifact>()({
  name: 'artifact',
  table: 'artifacts',
  columns: {
    name: { column: 'name', codec: c.text },
    digest: { column: 'digest', codec: c.text },
    size: { column: 'size', codec: c.int },
    kind: { column: 'kind', codec: c.text },
    createdAt: { column: 'created_at', codec: c.int, json: false },
  },
});

/** Where a run was exported to (an MLflow server), so a second export of it is skipped. */
export interface ExportRecord {
  runId: string;
  target: string;
  remoteId: string;
  exportedAt: number;
}

export const exportEntity = defineEntity<ExportRecord>()({
  name: 'export',
  table: 'exports',
  columns: {
    runId: { column: 'run_id', codec: c.text },
    target: { column: 'target', codec: c.text },
    remoteId: { column: 'remote_id', codec: c.text },
    exportedAt: { column: 'exported_at', codec: c.int },
  },
});

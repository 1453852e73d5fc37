/** Shapes shared by the tracker, its queries, the CLI and the exporters. */

export const RunStatuses = Object.freeze(['running', 'finished', 'failed', 'killed'] as const);
export type RunStatus = (typeof RunStatuses)[number];
/** Statuses a run can end with. */
export type EndStatus = Exclude<RunStatus, 'running'>;

/** A param value as given; stored as text (strings as-is, everything else as JSON). */
export type ParamValue = string | number | boolean | null;

export interface DatasetRef {
  name: string;
  /** Content hash of the processed dataset (e.g. sha256 of its canonical bytes). */
  hash: string;
}

/** One row of `runs`, decoded. Times are Unix milliseconds. */
export interface RunRecord {
  id: string;
  experiment: string;
  name: string;
  status: RunStatus;
  statusReason: string | null;
  startTime: number;
  endTime: number | null;
  gitSha: string | null;
  gitDirty: boolean | null;
  config: unknown;
  datasetName: string | null;
  datasetHash: string | null;
  host: string;
  pid: number;
  heartbeatAt: number;
  gnnopsVersion: string;
  parentId: string | null;
  sweepId: string | null;
}

export interface MetricPoint {
  step: number;
  /** NaN is stored as NULL and read back as NaN. */
  value: number;
  timestamp: number;
}

export interface ArtifactRecord {
  name: string;
  digest: string;
  size: number;
  kind: string;
  createdAt: number;
  /** Absolute path of the blob in the content-addressed folder. */
  path: string;
}

/** Everything `runs show` prints. */
export interface RunDetail {
  run: RunRecord;
  params: Record<string, string>;
  /** Last value of each metric (highest step, then latest timestamp). */
  metrics: Record<string, { value: number; step: number }>;
  tags: Record<string, string>;
  artifacts: ArtifactRecord[];
  lineage: {
    parent: string | null;
    sweep: string | null;
    children: string[];
    /** Registered model versions whose source is this run. */
    modelVersions: { model: string; version: number }[];
  };
}

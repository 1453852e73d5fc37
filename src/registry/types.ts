/** Shapes of the model registry. Times are Unix milliseconds; versions count from 1 per model. */

export interface ModelVersion {
  model: string;
  version: number;
  /** Tracking run that produced the checkpoint, if any. */
  runId: string | null;
  checkpointDigest: string;
  checkpointSize: number;
  /** Absolute path of the checkpoint blob in the content-addressed folder. */
  checkpointPath: string;
  datasetName: string | null;
  datasetHash: string | null;
  config: unknown;
  /** Summary metrics, e.g. `{val_acc_mean: 0.79, test_acc_mean: 0.78}`; `temperature` is the calibration one. */
  metrics: Record<string, number>;
  gitSha: string | null;
  gitDirty: boolean | null;
  /** Reference data profile for drift detection, if registered. */
  referenceProfileDigest: string | null;
  description: string | null;
  tags: Record<string, string>;
  createdAt: number;
  createdBy: string;
  /** Aliases currently pointing at this version. */
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  description: string | null;
  createdAt: number;
  latestVersion: number;
  /** alias → version */
  aliases: Record<string, number>;
}

export type AliasAction = 'promote' | 'auto-promote' | 'rollback' | 'remove';

/** One row of the append-only alias audit log. */
export interface AuditEntry {
  id: number;
  model: string;
  alias: string;
  action: AliasAction;
  fromVersion: number | null;
  toVersion: number | null;
  who: string;
  at: number;
  reason: string;
}

export type RegistryEventType = 'version.registered' | 'alias.changed';

/** A persisted registry event; `id` increases monotonically, so pollers ask for `id > last`. */
export interface RegistryEvent {
  id: number;
  type: RegistryEventType;
  model: string;
  version: number | null;
  alias: string | null;
  fromVersion: number | null;
  at: number;
  payload: Record<string, unknown>;
}

/** The result of a promote/rollback/remove: the audit entry and the event, or `changed: false` for a no-op. */
export interface AliasChange {
  changed: boolean;
  model: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  audit: AuditEntry | null;
  event: RegistryEvent | null;
  /** Outcomes of the configured command/webhook (empty when none ran). */
  hooks: HookOutcome[];
}

export interface HookOutcome {
  kind: 'command' | 'webhook';
  target: string;
  ok: boolean;
  /** Exit code or HTTP status. */
  status: number | null;
  error?: string;
  durationMs: number;
}

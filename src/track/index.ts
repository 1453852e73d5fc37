/** Public API of experiment tracking. */
export { ArtifactStore, type BlobRef } from './cas.js';
export { flattenConfig } from './flatten.js';
export { type GitInfo, gitInfo } from './git.js';
export type { Migration } from './migrations.js';
export type { RunFilter } from './queries.js';
export type { RecoveredRun } from './recovery.js';
export { defaultRunTuning, Run, type RunTuning } from './run.js';
export { openStore, Store, type StoreOptions } from './store.js';
export { type StartRunOptions, Tracker, type TrackerOptions, trackerFromConfig } from './tracker.js';
export type {
  ArtifactRecord,
  DatasetRef,
  EndStatus,
  MetricPoint,
  ParamValue,
  RunDetail,
  RunRecord,
  RunStatus,
} from './types.js';
export { RunStatuses } from './types.js';
export { gnnopsVersion } from './version.js';

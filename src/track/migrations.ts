/**
 * Schema migrations of the embedded store. Each migration has a namespaced id (`track/1`, `registry/1`, …) and
 * runs once, inside a transaction, recorded in `schema_version`. Other areas (sweeps) keep their own lists and
 * apply them with `store.applyMigrations(list)`; ids are never reused and SQL is never edited after release.
 */
export interface Migration {
  /** `<area>/<n>`, unique forever. */
  id: string;
  /** SQL executed as one script. */
  sql: string;
}

export const trackMigrations: readonly Migration[] = Object.freeze([
  {
    id: 'track/1',
    sql: `
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
  status_reason TEXT,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  git_sha TEXT,
  git_dirty INTEGER,
  config_json TEXT NOT NULL DEFAULT '{}',
  dataset_name TEXT,
  dataset_hash TEXT,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  gnnops_version TEXT NOT NULL,
  parent_id TEXT REFERENCES runs(id),
  sweep_id TEXT
);
CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_sweep ON runs(sweep_id);
CREATE INDEX runs_by_parent ON runs(parent_id);
CREATE TABLE params (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  timestamp INTEGER NOT NULL
);
CREATE INDEX metrics_by_run_key ON metrics(run_id, key, step);
CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  size INTEGER NOT NULL,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (run_id, name)
);
CREATE INDEX artifacts_by_digest ON artifacts(digest);
CREATE TABLE exports (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  exported_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, target)
) WITHOUT ROWID;
`,
  },
  {
    id: 'registry/1',
    sql: `
CREATE TABLE registered_models (
  name TEXT PRIMARY KEY,
  description TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE model_versions (
  model TEXT NOT NULL REFERENCES registered_models(name),
  version INTEGER NOT NULL,
  run_id TEXT REFERENCES runs(id),
  checkpoint_digest TEXT NOT NULL,
  checkpoint_size INTEGER NOT NULL,
  dataset_name TEXT,
  dataset_hash TEXT,
  config_json TEXT NOT NULL DEFAULT '{}',
  metrics_json TEXT NOT NULL DEFAULT '{}',
  git_sha TEXT,
  git_dirty INTEGER,
  reference_profile_digest TEXT,
  description TEXT,
  tags_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (model, version)
) WITHOUT ROWID;
CREATE INDEX model_versions_by_run ON model_versions(run_id);
CREATE TABLE model_aliases (
  model TEXT NOT NULL REFERENCES registered_models(name),
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (model, alias),
  FOREIGN KEY (model, version) REFERENCES model_versions(model, version)
) WITHOUT ROWID;
CREATE TABLE alias_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  alias TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('promote', 'auto-promote', 'rollback', 'remove')),
  from_version INTEGER,
  to_version INTEGER,
  who TEXT NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alias_audit_by_alias ON alias_audit(model, alias, id);
CREATE TABLE registry_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  model TEXT NOT NULL,
  version INTEGER,
  alias TEXT,
  from_version INTEGER,
  at INTEGER NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}'
);
`,
  },
  {
    // Process start time (Linux /proc/<pid>/stat field 22) next to the pid, so recovery can tell a live run from
    // an unrelated process that reused its pid.
    id: 'track/2',
    sql: 'ALTER TABLE runs ADD COLUMN pid_start TEXT;',
  },
]);

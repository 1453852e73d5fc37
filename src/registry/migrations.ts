import type { Migration } from '../track/migrations.js';

/** The registry's tables: models, versions, aliases, the alias audit trail and the event outbox for hooks. */
export const registryMigrations: readonly Migration[] = Object.freeze([
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
]);

/**
 * Schema migrations of the workspace store. Each package owns its list (track here; registry, sweep and the
 * request log in their own folders) with ids `<package>/<n>`, n = 1, 2, … in order. `Store.applyMigrations`
 * runs each not-yet-recorded one once, inside a transaction, recorded in `schema_version`, so a new and an
 * existing workspace end in the same schema. Ids are never reused and SQL is never edited after release.
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
    // Process start time (Linux /proc/<pid>/stat field 22) next to the pid, so recovery can tell a live run from
    // an unrelated process that reused its pid.
    id: 'track/2',
    sql: 'ALTER TABLE runs ADD COLUMN pid_start TEXT;',
  },
]);

/**
 * Checks migrations before they run: within each package (the id's prefix), versions 1..n in order. A gap or a
 * reordering would make two workspaces reach different schemas, so it is refused at once. Several packages'
 * lists may be passed together.
 */
export function checkMigrationList(list: readonly Migration[]): void {
  const next = new Map<string, number>();
  for (const m of list) {
    const pkg = m.id.slice(0, m.id.lastIndexOf('/'));
    const n = next.get(pkg) ?? 1;
    if (m.id !== `${pkg}/${n}`)
      throw new Error(`migration ${m.id} is out of order: package ${pkg} expects ${pkg}/${n}`);
    next.set(pkg, n + 1);
  }
}

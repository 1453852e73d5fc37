import { gnnopsHome } from '../util/home.js';
import { PostgresDb, type PostgresOptions } from './postgres.js';
import { SqliteDb } from './sqlite.js';
import type { SqlDb } from './types.js';
import { type DatabaseTarget, parseDatabaseUrl } from './url.js';

export { type InsertOptions, insertReturning, insertRow, insertStatement, tableExists } from './insert.js';
export { appliedMigrations, type DbMigration, migrate } from './migrate.js';
export { PostgresDb } from './postgres.js';
export { SqliteDb } from './sqlite.js';
export type { Lease, SqlDb, SqlExecutor, SqlRow, SqlValue, Transaction } from './types.js';
export { type DatabaseTarget, parseDatabaseUrl, redactUrl } from './url.js';

/** Open the store a parsed URL names. */
export function openTarget(target: DatabaseTarget, opts: PostgresOptions = {}): SqlDb {
  return target.dialect === 'sqlite'
    ? new SqliteDb(target.path, target.display)
    : new PostgresDb(target.url, target.display, opts);
}

/**
 * Where the workspace's store is: `GNNOPS_DATABASE_URL` when set, else `url` (config `store.url`), else the SQLite
 * file in the workspace; the variable wins as GNNOPS_STORAGE_URL does over the storage section, so a deployment
 * can point a process elsewhere without editing its config. A worker thread that opens its own connection gets
 * this, never the opened handle.
 */
export function databaseTarget(url?: string, home = gnnopsHome()): DatabaseTarget {
  const env = process.env.GNNOPS_DATABASE_URL?.trim();
  const fromEnv = Boolean(env) || url === undefined || url === '';
  const raw = fromEnv ? env : url;
  return parseDatabaseUrl(raw, home, fromEnv ? 'GNNOPS_DATABASE_URL' : 'store.url');
}

/** Open the workspace's store (see databaseTarget for which one). */
export function openDatabase(url?: string, home = gnnopsHome(), opts: PostgresOptions = {}): SqlDb {
  return openTarget(databaseTarget(url, home), opts);
}

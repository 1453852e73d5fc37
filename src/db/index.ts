import { gnnopsHome } from '../util/home.js';
import { PostgresDb, type PostgresOptions } from './postgres.js';
import { SqliteDb } from './sqlite.js';
import type { SqlDb } from './types.js';
import { type DatabaseTarget, parseDatabaseUrl } from './url.js';

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
 * Where the workspace's store is: `url` (config `store.url`), else `GNNOPS_DATABASE_URL`, else the SQLite file in
 * the workspace. A worker thread that opens its own connection gets this, never the opened handle.
 */
export function databaseTarget(url?: string, home = gnnopsHome()): DatabaseTarget {
  const fromEnv = url === undefined || url === '';
  const raw = fromEnv ? process.env.GNNOPS_DATABASE_URL : url;
  return parseDatabaseUrl(raw, home, fromEnv ? 'GNNOPS_DATABASE_URL' : 'store.url');
}

/** Open the workspace's store (see databaseTarget for which one). */
export function openDatabase(url?: string, home = gnnopsHome(), opts: PostgresOptions = {}): SqlDb {
  return openTarget(databaseTarget(url, home), opts);
}

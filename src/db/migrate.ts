import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { tableExists } from './insert.js';
import type { SqlDb } from './types.js';

/** One schema step of a package, `<package>/<n>`; `postgres` replaces `sql` there where the types differ. */
export interface DbMigration {
  id: string;
  sql: string;
  postgres?: string;
}

/**
 * Apply the migrations not yet recorded in `schema_version`, in order, each in its own transaction. Concurrent
 * migrators (several replicas starting at once) take turns on one lock key and re-check inside it, so each step
 * runs once. A store already up to date is checked with one read and no write lock, so opening it stays cheap
 * while other processes write. Returns the ids applied by this call.
 */
export async function migrate(db: SqlDb, list: readonly DbMigration[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const m of list) {
    if (seen.has(m.id)) throw new GnnopsError(ErrorCodes.INTERNAL, `migration ${m.id} is listed twice`);
    seen.add(m.id);
  }
  let recorded = new Set<string>();
  if (await tableExists(db, 'schema_version')) {
    recorded = new Set((await db.query<{ id: string }>('SELECT id FROM schema_version')).map((r) => r.id));
  } else {
    await db.transaction(async (tx) => {
      await tx.lockKey('gnnops:schema_version');
      // INTEGER is already 64-bit in SQLite, and existing workspaces spell it so.
      const int = db.dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_version (id TEXT PRIMARY KEY, applied_at ${int} NOT NULL)`);
    });
  }
  const applied: string[] = [];
  for (const m of list) {
    if (recorded.has(m.id)) continue;
    const done = await db.transaction(async (tx) => {
      await tx.lockKey('gnnops:schema_version');
      const has = await tx.query('SELECT id FROM schema_version WHERE id = $1', [m.id]);
      if (has.length > 0) return false;
      await tx.exec(db.dialect === 'postgres' && m.postgres !== undefined ? m.postgres : m.sql);
      await tx.run('INSERT INTO schema_version (id, applied_at) VALUES ($1, $2)', [m.id, Date.now()]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}

/** Applied migration ids, in the order they were applied. */
export async function appliedMigrations(db: SqlDb): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM schema_version ORDER BY applied_at, id');
  return rows.map((r) => r.id);
}

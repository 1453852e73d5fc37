/**
 * Statement building for the SQLite store: an entity's row (column → cell) becomes an INSERT with named
 * parameters, so callers never list columns and placeholders by hand. This is the one place that spells the
 * SQLite form of an insert; a PostgreSQL store builds its own (numbered `$n` placeholders) from the same rows.
 */
import type Database from 'better-sqlite3';
import type { Row } from '../util/entity.js';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per database and SQL text. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let byText = cache.get(db);
  if (!byText) {
    byText = new Map();
    cache.set(db, byText);
  }
  let st = byText.get(sql);
  if (!st) {
    st = db.prepare(sql);
    byText.set(sql, st);
  }
  return st;
}

export interface InsertOptions {
  /** `ignore`: keep the existing row on a key conflict; `{update: key columns}`: overwrite the other columns. */
  onConflict?: 'ignore' | { update: readonly string[] };
}

/** Insert one row into `table`; columns not in the row take their schema default. */
export function insertRow(
  db: Database.Database,
  table: string,
  row: Row,
  opts: InsertOptions = {},
): Database.RunResult {
  const cols = Object.keys(row);
  let sql = `INSERT${opts.onConflict === 'ignore' ? ' OR IGNORE' : ''} INTO ${table} (${cols.join(', ')}) VALUES (${cols
    .map((k) => `@${k}`)
    .join(', ')})`;
  if (typeof opts.onConflict === 'object') {
    const keys = opts.onConflict.update;
    const rest = cols.filter((k) => !keys.includes(k));
    sql += ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${rest.map((k) => `${k} = excluded.${k}`).join(', ')}`;
  }
  return statement(db, sql).run(row);
}

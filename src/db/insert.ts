import type { Row } from '../util/entity.js';
import type { SqlExecutor, SqlValue } from './types.js';

export interface InsertOptions {
  /** `ignore`: keep the existing row on a key conflict; `{update: key columns}`: overwrite the other columns. */
  onConflict?: 'ignore' | { update: readonly string[] };
  /** Columns to hand back (generated keys), as `RETURNING` does on both backends. */
  returning?: readonly string[];
}

/**
 * The portable INSERT of one entity row: `$n` parameters and `ON CONFLICT`, which SQLite and PostgreSQL both
 * accept, so callers never list columns and placeholders by hand. Columns not in the row take their schema default.
 */
export function insertStatement(
  table: string,
  row: Row,
  opts: InsertOptions = {},
): { sql: string; params: SqlValue[] } {
  const cols = Object.keys(row);
  let sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
  if (opts.onConflict === 'ignore') sql += ' ON CONFLICT DO NOTHING';
  else if (typeof opts.onConflict === 'object') {
    const keys = opts.onConflict.update;
    const rest = cols.filter((k) => !keys.includes(k));
    sql += ` ON CONFLICT (${keys.join(', ')}) DO ${
      rest.length === 0 ? 'NOTHING' : `UPDATE SET ${rest.map((k) => `${k} = excluded.${k}`).join(', ')}`
    }`;
  }
  if (opts.returning && opts.returning.length > 0) sql += ` RETURNING ${opts.returning.join(', ')}`;
  return { sql, params: cols.map((k) => row[k] as SqlValue) };
}

/** Insert one row; the number of rows inserted (0 when `ignore` kept an existing one). */
export function insertRow(ex: SqlExecutor, table: string, row: Row, opts: InsertOptions = {}): Promise<number> {
  const { sql, params } = insertStatement(table, row, { ...opts, returning: undefined });
  return ex.run(sql, params);
}

/** Insert one row and return the generated value of `column` (an identity or INTEGER PRIMARY KEY). */
export async function insertReturning(
  ex: SqlExecutor,
  table: string,
  row: Row,
  column: string,
  opts: Omit<InsertOptions, 'returning'> = {},
): Promise<number> {
  const { sql, params } = insertStatement(table, row, { ...opts, returning: [column] });
  const rows = await ex.query<Record<string, unknown>>(sql, params);
  return Number(rows[0]?.[column]);
}

/** Whether a table exists: a package may read another's table only once that package has created it. */
export async function tableExists(
  ex: SqlExecutor & { dialect: 'sqlite' | 'postgres' },
  name: string,
): Promise<boolean> {
  const rows =
    ex.dialect === 'sqlite'
      ? await ex.query("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = $1", [name])
      : await ex.query(
          'SELECT 1 AS ok FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
          [name],
        );
  return rows.length > 0;
}

import { type DbMigration, migrate, type SqlDb, type SqlRow, type SqlValue } from '../db/index.js';
import { driftHistoryMigrations } from '../monitor/drift-history.js';
import { registryMigrations } from '../registry/migrations.js';
import { requestLogMigrations } from '../request-log/schema.js';
import { CasMirror, type ObjectStorage } from '../storage/index.js';
import { sweepMigrations } from '../sweep/store.js';
import type { ArtifactStore } from '../track/cas.js';
import { trackMigrations } from '../track/migrations.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256 } from '../util/fs.js';

/**
 * A package's schema as the migrate command knows it. `shared` says whether the package reads its tables from the
 * store of GNNOPS_DATABASE_URL; a package that still keeps its tables in each workspace's own gnnops.db is copied
 * only into a SQLite target (which is such a file) and listed as skipped for PostgreSQL.
 */
export interface StorePackage {
  name: string;
  migrations: readonly DbMigration[];
  shared: boolean;
}

/** Every package's migrations, in the order their tables depend on each other (runs before versions, …). */
export const storePackages: readonly StorePackage[] = Object.freeze([
  { name: 'track', migrations: trackMigrations, shared: true },
  { name: 'registry', migrations: registryMigrations, shared: true },
  { name: 'sweep', migrations: sweepMigrations, shared: true },
  { name: 'request log', migrations: requestLogMigrations, shared: true },
  { name: 'drift history', migrations: driftHistoryMigrations, shared: true },
]);

/**
 * Tables that are not data: the migration ledger (each store keeps its own), SQLite's AUTOINCREMENT counters
 * (advanced by the copied ids themselves) and the lease rows of live processes.
 */
const INTERNAL_TABLES = new Set(['schema_version', 'sqlite_sequence', 'db_leases']);

export interface TableReport {
  table: string;
  package: string;
  /** Rows in the source. */
  source: number;
  /** Rows this run inserted into the target. */
  copied: number;
  /** Source rows the target already had (an earlier run, or a retried batch). */
  present: number;
  /** Rows in the target after the copy. */
  target: number;
  /** Why the table was not copied, when it was not. */
  skipped?: string;
}

export interface BlobSummary {
  /** Distinct digests the copied rows reference. */
  referenced: number;
  uploaded: number;
  /** Already in the target storage (and verified). */
  present: number;
}

export interface StoreMigrateReport {
  from: string;
  to: string;
  storageTo: string | null;
  /** Migration ids this run applied on the target. */
  applied: string[];
  tables: TableReport[];
  blobs: BlobSummary | null;
  ok: boolean;
  /** The first difference verification found, when not ok. */
  mismatch: string | null;
}

export interface StoreMigrateOptions {
  source: SqlDb;
  target: SqlDb;
  /** The source workspace's artifact folder: where referenced blobs are read from. */
  cas?: ArtifactStore;
  /** Where to upload referenced blobs (`--storage-to`), with its display name. */
  storage?: { remote: ObjectStorage; display: string };
  /** Rows per INSERT (default: as many as fit in 30,000 parameters, at most 500). */
  batchRows?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

type Column = {
  name: string;
};

interface TableShape {
  columns: string[];
  /** Primary-key columns, in key order. */
  key: string[];
  /** Whether rows carry a rowid the copy should keep: SQLite's implicit one, or the `rowid` identity column. */
  rowid: boolean;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Which package creates each table, in creation order. */
export function tableOwners(packages: readonly StorePackage[] = storePackages): Map<string, StorePackage> {
  const owners = new Map<string, StorePackage>();
  for (const p of packages) {
    for (const m of p.migrations) {
      for (const match of m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (!owners.has(match[1])) owners.set(match[1], p);
      }
    }
  }
  return owners;
}

async function listTables(db: SqlDb): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      : await db.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        );
  return rows.map((r) => r.name);
}

async function shapeOf(db: SqlDb, table: string): Promise<TableShape> {
  if (db.dialect === 'sqlite') {
    const cols = await db.query<{ name: string; type: string; pk: number }>(
      `SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid`,
      [table],
    );
    const key = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const aliased = key.length === 1 && cols.find((c) => c.name === key[0])?.type.toUpperCase() === 'INTEGER';
    const without = await db.query<{ sql: string }>(
      "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1",
      [table],
    );
    const withoutRowid = /WITHOUT\s+ROWID\s*;?\s*$/i.test(without[0]?.sql ?? '');
    return { columns: cols.map((c) => c.name), key, rowid: !aliased && !withoutRowid };
  }
  const cols = await db.query<Column>(
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
    [table],
  );
  const key = await db.query<Column>(
    `SELECT k.column_name AS name FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k
         ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema AND k.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY'
      ORDER BY k.ordinal_position`,
    [table],
  );
  const names = cols.map((c) => c.name).filter((n) => n !== 'rowid');
  return { columns: names, key: key.map((k) => k.name), rowid: cols.some((c) => c.name === 'rowid') };
}

async function count(db: SqlDb, table: string): Promise<number> {
  const rows = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/** Advance every identity counter of a PostgreSQL table past the ids now in it, so new rows get fresh ids. */
async function advanceIdentities(db: SqlDb, table: string): Promise<void> {
  const cols = await db.query<Column>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
    [table],
  );
  for (const c of cols) {
    await db.query(
      `SELECT setval(s.seq, GREATEST(m.top, COALESCE(pg_sequence_last_value(s.seq::regclass), 0)))
         FROM (SELECT pg_get_serial_sequence($1, $2) AS seq) s, (SELECT MAX(${quote(c.name)}) AS top FROM ${quote(table)}) m
        WHERE m.top IS NOT NULL`,
      [table, c.name],
    );
  }
}

/** The size a batch of rows aims to stay under. */
const BATCH_BYTES = 8 << 20;

/** Columns whose values are content digests of blobs in the artifact store. */
const isDigestColumn = (name: string): boolean => /(^|_)digest$/.test(name);
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Copy one table in key order, batch by batch, each batch one transaction; rows the target already has (same
 * key, or any unique constraint) are kept as they are. Returns the rows inserted and the digests seen.
 */
async function copyTable(
  source: SqlDb,
  target: SqlDb,
  table: string,
  from: TableShape,
  to: TableShape,
  batchRows: number | undefined,
  digests: Map<string, string>,
  onRows: (n: number) => void,
): Promise<number> {
  const keepRowid = from.rowid && to.rowid;
  const cols = [...from.columns, ...(keepRowid ? ['rowid'] : [])];
  const order = from.rowid ? ['rowid'] : from.key;
  if (order.length === 0) {
    throw new GnnopsError(
      ErrorCodes.INTERNAL,
      `table ${table} in ${source.display} has no primary key or rowid to copy it by`,
      { table },
    );
  }
  const select = [...from.columns.map(quote), ...(keepRowid || from.rowid ? ['rowid AS rowid'] : [])];
  const orderSql = order.map(quote).join(', ');
  let perBatch = batchRows ?? Math.max(1, Math.min(500, Math.floor(30_000 / cols.length)));
  const digestCols = from.columns.filter(isDigestColumn);
  let after: SqlValue[] | null = null;
  let inserted = 0;
  for (;;) {
    const where =
      after === null
        ? ''
        : order.length === 1
          ? `WHERE ${quote(order[0])} > $1`
          : `WHERE (${orderSql}) > (${order.map((_, i) => `$${i + 1}`).join(', ')})`;
    const rows: SqlRow[] = await source.query(
      `SELECT ${select.join(', ')} FROM ${quote(table)} ${where} ORDER BY ${orderSql} LIMIT ${perBatch}`,
      after ?? [],
    );
    if (rows.length === 0) break;
    const params: SqlValue[] = [];
    const tuples = rows.map((r) => {
      const start = params.length;
      for (const c of cols) params.push((r[c] ?? null) as SqlValue);
      return `(${cols.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    for (const r of rows) {
      for (const c of digestCols) {
        const d = r[c];
        if (typeof d === 'string' && DIGEST.test(d) && !digests.has(d)) digests.set(d, `${table}.${c}`);
      }
    }
    const sql = `INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`;
    inserted += await target.transaction((tx) => tx.run(sql, params));
    onRows(rows.length);
    const last = rows[rows.length - 1];
    after = order.map((k) => last[k] as SqlValue);
    if (rows.length < perBatch) break;
    // Rows with large blobs (sampled request features) get smaller batches, so one batch stays a few MB in memory.
    const bytes = params.reduce<number>(
      (n, v) => n + (v instanceof Uint8Array ? v.byteLength : typeof v === 'string' ? v.length : 8),
      0,
    );
    if (bytes > BATCH_BYTES && perBatch > 1) perBatch = Math.max(1, Math.floor((perBatch * BATCH_BYTES) / bytes));
  }
  return inserted;
}

/** Upload (or find) each referenced blob in the target storage and check the stored bytes hash to the digest. */
async function copyBlobs(
  digests: Map<string, string>,
  cas: ArtifactStore | undefined,
  storage: { remote: ObjectStorage; display: string },
  onProgress: (done: number, total: number) => void,
): Promise<{ summary: BlobSummary; mismatch: string | null }> {
  const summary: BlobSummary = { referenced: digests.size, uploaded: 0, present: 0 };
  let done = 0;
  for (const [digest, where] of digests) {
    const key = CasMirror.keyOf(digest);
    if (await storage.remote.exists(key)) {
      summary.present++;
    } else {
      if (!cas?.has(digest)) {
        return {
          summary,
          mismatch: `blob ${digest} (referenced by ${where}) is neither in the workspace${cas ? ` (${cas.root})` : ''} nor in ${storage.display}`,
        };
      }
      const bytes = cas.read(digest);
      if (sha256(bytes) !== digest) {
        return {
          summary,
          mismatch: `blob ${digest} in ${cas.root} does not hash to its name: the workspace copy is corrupt`,
        };
      }
      await storage.remote.put(key, bytes);
      summary.uploaded++;
    }
    const stored = sha256(await storage.remote.get(key));
    if (stored !== digest) {
      return { summary, mismatch: `blob ${digest} in ${storage.display} has SHA-256 ${stored}` };
    }
    onProgress(++done, digests.size);
  }
  return { summary, mismatch: null };
}

/**
 * Copy a store into another: bring both to this version's schema (every package's migrations), copy each table's
 * rows in key order with ids, versions, aliases and audit history as they are, advance PostgreSQL identity
 * counters past the copied ids, optionally upload every referenced blob, then verify row counts and digests.
 * Rerunning copies nothing twice. A source table no package owns is refused before anything is written.
 */
export async function migrateStore(opts: StoreMigrateOptions): Promise<StoreMigrateReport> {
  const { source, target } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  if (source.display === target.display) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--to ${target.display} is the source store itself`, {
      field: '--to',
    });
  }
  const owners = tableOwners();
  const known = new Set(storePackages.flatMap((p) => p.migrations.map((m) => m.id)));

  // Refuse what this version does not understand before writing anywhere.
  const sourceTables = await listTables(source);
  const unknownTables = sourceTables.filter((t) => !owners.has(t) && !INTERNAL_TABLES.has(t));
  if (unknownTables.length > 0) {
    throw new GnnopsError(
      ErrorCodes.DATA_INVALID,
      `${source.display} has tables this gnnops does not know: ${unknownTables.join(', ')}; migrate with the gnnops version that created them, or drop them first`,
      { tables: unknownTables },
    );
  }
  if (sourceTables.includes('schema_version')) {
    const ids = (await source.query<{ id: string }>('SELECT id FROM schema_version')).map((r) => r.id);
    const newer = ids.filter((id) => !known.has(id));
    if (newer.length > 0) {
      throw new GnnopsError(
        ErrorCodes.DATA_INVALID,
        `${source.display} has migrations this gnnops does not know (${newer.join(', ')}): it was written by a newer version`,
        { migrations: newer },
      );
    }
  }

  const applies = (db: SqlDb) => (p: StorePackage) => p.shared || db.dialect === 'sqlite';
  // An older workspace reaches this version's schema first, as any command opening it would.
  for (const p of storePackages.filter(applies(source))) await migrate(source, p.migrations);
  const applied: string[] = [];
  for (const p of storePackages.filter(applies(target))) applied.push(...(await migrate(target, p.migrations)));

  const present = new Set(await listTables(source));
  const tables: TableReport[] = [];
  const digests = new Map<string, string>();
  const work: { table: string; pkg: StorePackage; rows: number }[] = [];
  for (const [table, pkg] of owners) {
    if (!present.has(table)) continue;
    const rows = await count(source, table);
    if (!applies(target)(pkg)) {
      tables.push({
        table,
        package: pkg.name,
        source: rows,
        copied: 0,
        present: 0,
        target: 0,
        skipped: `the ${pkg.name} tables stay in each workspace's gnnops.db`,
      });
      continue;
    }
    work.push({ table, pkg, rows });
  }
  const totalRows = work.reduce((s, w) => s + w.rows, 0);
  let doneRows = 0;
  progress('rows', 0, totalRows);
  for (const w of work) {
    const from = await shapeOf(source, w.table);
    const to = await shapeOf(target, w.table);
    const missing = from.columns.filter((c) => !to.columns.includes(c));
    if (missing.length > 0) {
      throw new GnnopsError(
        ErrorCodes.DATA_INVALID,
        `table ${w.table}: columns ${missing.join(', ')} of ${source.display} are not in ${target.display}`,
        { table: w.table, columns: missing },
      );
    }
    const copied = await copyTable(source, target, w.table, from, to, opts.batchRows, digests, (n) => {
      doneRows += n;
      progress('rows', doneRows, totalRows);
    });
    if (target.dialect === 'postgres') await advanceIdentities(target, w.table);
    tables.push({
      table: w.table,
      package: w.pkg.name,
      source: w.rows,
      copied,
      present: w.rows - copied,
      target: await count(target, w.table),
    });
  }

  let mismatch: string | null = null;
  for (const t of tables) {
    if (t.skipped) continue;
    const now = await count(source, t.table);
    if (now !== t.target) {
      mismatch = `table ${t.table}: ${now} rows in ${source.display}, ${t.target} in ${target.display}`;
      break;
    }
  }

  let blobs: BlobSummary | null = null;
  if (opts.storage) {
    progress('blobs', 0, digests.size);
    const r = await copyBlobs(digests, opts.cas, opts.storage, (done, total) => progress('blobs', done, total));
    blobs = r.summary;
    mismatch ??= r.mismatch;
  }
  tables.sort((a, b) => [...owners.keys()].indexOf(a.table) - [...owners.keys()].indexOf(b.table));
  return {
    from: source.display,
    to: target.display,
    storageTo: opts.storage?.display ?? null,
    applied,
    tables,
    blobs,
    ok: mismatch === null,
    mismatch,
  };
}

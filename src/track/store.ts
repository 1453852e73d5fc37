import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { appliedMigrations, type DbMigration, migrate, openDatabase, type SqlDb, SqliteDb } from '../db/index.js';
import { gnnopsHome } from '../util/home.js';
import { ArtifactStore } from './cas.js';
import { checkMigrationList, type Migration, trackMigrations } from './migrations.js';
import { type RecoveredRun, recoverStaleRuns } from './recovery.js';

export type Db = Database.Database;

export interface StoreOptions {
  /** Workspace folder; default `gnnopsHome()` (env GNNOPS_HOME). Holds the artifacts and, by default, gnnops.db. */
  home?: string;
  /**
   * The store URL of config `store.url`: `sqlite:PATH` or `postgres://…`. `GNNOPS_DATABASE_URL` takes precedence
   * when set; with neither, the store is `<home>/gnnops.db`.
   */
  url?: string;
  /** Mark runs left `running` by dead processes as failed (default true). */
  recover?: boolean;
  /** A run on another host is considered dead when its heartbeat is older than this (default 10 min). */
  staleAfterMs?: number;
  /** Migrations of the packages still on the workspace's own SQLite connection (`Store.db`): sweeps. */
  migrations?: readonly Migration[];
}

/**
 * The workspace store: the SQL store chosen by URL (`sql`: the embedded SQLite file by default, or a PostgreSQL
 * server shared by many machines) plus the content-addressed artifact folder. Tracking and the registry speak
 * only to `sql`.
 *
 * `db` is the workspace's own better-sqlite3 connection for the packages not yet written against `SqlDb`
 * (sweeps). With SQLite it is the very connection `sql` uses, so both see one database and take
 * turns in one process; with PostgreSQL it is `<home>/gnnops.db`, local to the workspace.
 *
 * SQLite runs in WAL mode (readers never block the writer; several processes can share the file) with
 * `synchronous=NORMAL`, which keeps every committed transaction across a process crash (kill -9); only an OS crash
 * can lose the last commits.
 */
export class Store {
  readonly sql: SqlDb;
  readonly home: string;
  /** The workspace's SQLite file: the store itself with SQLite, the file behind `db` with PostgreSQL. */
  readonly path: string;
  readonly cas: ArtifactStore;
  /** Runs this open found abandoned and marked failed. */
  recovered: readonly RecoveredRun[] = [];
  #local: SqliteDb | null;
  readonly #applied = new Set<string>();

  /** @internal Use `openStore()`, which migrates and recovers. */
  constructor(home: string, sql: SqlDb) {
    this.home = home;
    this.sql = sql;
    this.cas = new ArtifactStore(join(home, 'artifacts'));
    this.#local = sql instanceof SqliteDb ? sql : null;
    this.path = sql instanceof SqliteDb ? sql.path : join(home, 'gnnops.db');
  }

  /** The legacy synchronous connection (see the class comment), opened on first use with PostgreSQL. */
  get db(): Db {
    this.#local ??= new SqliteDb(this.path);
    return this.#local.raw;
  }

  /** Apply migrations on the portable store (`sql`); ids this store has seen applied are skipped without a query. */
  async migrate(list: readonly DbMigration[]): Promise<string[]> {
    const todo = list.filter((m) => !this.#applied.has(m.id));
    if (todo.length === 0) return [];
    checkMigrationList(list);
    const applied = await migrate(this.sql, todo);
    for (const m of todo) this.#applied.add(m.id);
    return applied;
  }

  /**
   * Apply migrations on the legacy connection `db`, each not yet recorded in its `schema_version` in its own
   * immediate transaction.
   */
  applyMigrations(list: readonly Migration[]): string[] {
    checkMigrationList(list);
    const db = this.db;
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const has = db.prepare<[string], { id: string }>('SELECT id FROM schema_version WHERE id = ?');
    const mark = db.prepare('INSERT INTO schema_version (id, applied_at) VALUES (?, ?)');
    const applied: string[] = [];
    for (const m of list) {
      const apply = db.transaction(() => {
        // Re-check inside the write lock: another process may have migrated meanwhile.
        if (has.get(m.id)) return;
        db.exec(m.sql);
        mark.run(m.id, Date.now());
        applied.push(m.id);
      });
      if (!has.get(m.id)) apply.immediate();
    }
    return applied;
  }

  /** Applied migration ids of the portable store, in the order they were applied. */
  schemaVersions(): Promise<string[]> {
    return appliedMigrations(this.sql);
  }

  async close(): Promise<void> {
    const local = this.#local;
    await this.sql.close();
    if (local && local !== this.sql) await local.close();
  }
}

/**
 * Open the workspace store, creating and migrating the tracking tables if needed and (unless `recover: false`)
 * marking runs abandoned by dead processes as failed. Fails with the store's URL (without its password) and the
 * cause when the store cannot be reached.
 */
export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const home = resolve(opts.home ?? gnnopsHome());
  mkdirSync(home, { recursive: true });
  const sql = openDatabase(opts.url, home);
  const store = new Store(home, sql);
  try {
    await store.migrate(trackMigrations);
    if (opts.migrations) store.applyMigrations(opts.migrations);
    if (opts.recover !== false) {
      store.recovered = await recoverStaleRuns(sql, { staleAfterMs: opts.staleAfterMs ?? 10 * 60_000 });
    }
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

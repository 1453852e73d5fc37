import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import {
  appliedMigrations,
  type DatabaseTarget,
  type DbMigration,
  databaseTarget,
  migrate,
  openTarget,
  type SqlDb,
  SqliteDb,
} from '../db/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { gnnopsHome } from '../util/home.js';
import { ArtifactStore } from './cas.js';
import { checkMigrationList, trackMigrations } from './migrations.js';
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
}

/**
 * The workspace store: the SQL store chosen by URL (`sql`: the embedded SQLite file by default, or a PostgreSQL
 * server shared by many machines) plus the content-addressed artifact folder. Tracking, the registry and sweeps
 * speak only to `sql`; each package applies its own migrations on first use (`migrate`).
 *
 * SQLite runs in WAL mode (readers never block the writer; several processes can share the file) with
 * `synchronous=NORMAL`, which keeps every committed transaction across a process crash (kill -9); only an OS crash
 * can lose the last commits.
 */
export class Store {
  readonly sql: SqlDb;
  /** Where `sql` is, for threads that open their own connection (a run's heartbeat on a remote store). */
  readonly target: DatabaseTarget;
  readonly home: string;
  /** The store's SQLite file, or null for a PostgreSQL store. */
  readonly path: string | null;
  readonly cas: ArtifactStore;
  /** Runs this open found abandoned and marked failed. */
  recovered: readonly RecoveredRun[] = [];
  readonly #applied = new Set<string>();

  /** @internal Use `openStore()`, which migrates and recovers. */
  constructor(home: string, target: DatabaseTarget) {
    this.home = home;
    this.target = target;
    const sql = openTarget(target);
    this.sql = sql;
    this.cas = new ArtifactStore(join(home, 'artifacts'));
    this.path = sql instanceof SqliteDb ? sql.path : null;
  }

  /**
   * The better-sqlite3 connection of an SQLite store (the one `sql` uses), for what only SQLite has: PRAGMAs,
   * integrity checks. A PostgreSQL store has none.
   */
  get db(): Db {
    if (!(this.sql instanceof SqliteDb)) {
      throw new GnnopsError(ErrorCodes.INTERNAL, `store ${this.sql.display} is not an SQLite file`);
    }
    return this.sql.raw;
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

  /** Applied migration ids of the portable store, in the order they were applied. */
  schemaVersions(): Promise<string[]> {
    return appliedMigrations(this.sql);
  }

  close(): Promise<void> {
    return this.sql.close();
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
  const store = new Store(home, databaseTarget(opts.url, home));
  const sql = store.sql;
  try {
    await store.migrate(trackMigrations);
    if (opts.recover !== false) {
      store.recovered = await recoverStaleRuns(sql, { staleAfterMs: opts.staleAfterMs ?? 10 * 60_000 });
    }
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { gnnopsHome } from '../util/home.js';
import { ArtifactStore } from './cas.js';
import { checkMigrationList, type Migration, trackMigrations } from './migrations.js';
import { type RecoveredRun, recoverStaleRuns } from './recovery.js';

export type Db = Database.Database;

export interface StoreOptions {
  /** Workspace folder; default `gnnopsHome()` (env GNNOPS_HOME). The database is `<home>/gnnops.db`. */
  home?: string;
  /** Mark runs left `running` by dead processes as failed (default true). */
  recover?: boolean;
  /** A run on another host is considered dead when its heartbeat is older than this (default 10 min). */
  staleAfterMs?: number;
  /** Extra migrations to apply after the built-in ones (e.g. the sweep tables). */
  migrations?: readonly Migration[];
}

/**
 * The embedded store: one SQLite database in WAL mode (readers never block the writer; several processes can
 * share it) plus the content-addressed artifact folder. `synchronous=NORMAL` keeps every committed transaction
 * across a process crash (kill -9); only an OS crash can lose the last commits.
 */
export class Store {
  readonly db: Db;
  readonly home: string;
  readonly path: string;
  readonly cas: ArtifactStore;
  /** Runs this open found abandoned and marked failed. */
  readonly recovered: readonly RecoveredRun[];

  constructor(opts: StoreOptions = {}) {
    this.home = resolve(opts.home ?? gnnopsHome());
    mkdirSync(this.home, { recursive: true });
    this.path = join(this.home, 'gnnops.db');
    this.cas = new ArtifactStore(join(this.home, 'artifacts'));
    try {
      this.db = new Database(this.path);
    } catch (e) {
      throw new GnnopsError(ErrorCodes.INTERNAL, `cannot open the store ${this.path}: ${(e as Error).message}`, {
        path: this.path,
      });
    }
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.applyMigrations(trackMigrations);
    if (opts.migrations) this.applyMigrations(opts.migrations);
    this.recovered =
      opts.recover === false ? [] : recoverStaleRuns(this.db, { staleAfterMs: opts.staleAfterMs ?? 10 * 60_000 });
  }

  /** Apply the migrations not yet recorded in `schema_version`, each in its own immediate transaction. */
  applyMigrations(list: readonly Migration[]): string[] {
    checkMigrationList(list);
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const has = this.db.prepare<[string], { id: string }>('SELECT id FROM schema_version WHERE id = ?');
    const mark = this.db.prepare('INSERT INTO schema_version (id, applied_at) VALUES (?, ?)');
    const applied: string[] = [];
    for (const m of list) {
      const apply = this.db.transaction(() => {
        // Re-check inside the write lock: another process may have migrated meanwhile.
        if (has.get(m.id)) return;
        this.db.exec(m.sql);
        mark.run(m.id, Date.now());
        applied.push(m.id);
      });
      if (!has.get(m.id)) apply.immediate();
    }
    return applied;
  }

  /** Applied migration ids, in order. */
  schemaVersions(): string[] {
    return this.db
      .prepare<[], { id: string }>('SELECT id FROM schema_version ORDER BY rowid')
      .all()
      .map((r) => r.id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Open (creating and migrating if needed) the store of the workspace. */
export function openStore(opts: StoreOptions = {}): Store {
  return new Store(opts);
}

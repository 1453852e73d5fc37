import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { Lease, SqlDb, SqlRow, SqlValue, Transaction } from './types.js';

type Db = Database.Database;

interface Prepared {
  sql: string;
  /** For each positional `?`, the index into the caller's parameters. */
  order: number[];
}

const prepared = new Map<string, Prepared>();

/**
 * `$n` → `?`, remembering which parameter each `?` takes, so a portable statement can repeat and reorder its
 * parameters. Parsed once per statement text.
 */
function toSqlite(sql: string): Prepared {
  let p = prepared.get(sql);
  if (!p) {
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    p = { sql: text, order };
    if (prepared.size > 2000) prepared.clear();
    prepared.set(sql, p);
  }
  return p;
}

function bind(p: Prepared, params: readonly SqlValue[] | undefined): unknown[] {
  return p.order.map((i) => {
    const v = params?.[i];
    if (v === undefined) {
      throw new GnnopsError(
        ErrorCodes.INTERNAL,
        `statement uses $${i + 1} but ${params?.length ?? 0} parameters were given`,
      );
    }
    return typeof v === 'boolean' ? (v ? 1 : 0) : v;
  });
}

/**
 * One connection per database file per process, shared by every SqliteDb opened on it. better-sqlite3 blocks the
 * thread while it waits for a lock, so a second connection in the same process waiting on the first's open
 * transaction would wait forever; sharing one connection and one queue makes them take turns instead. Processes
 * still each have their own connection and coordinate through SQLite's file locks.
 */
interface Shared {
  raw: Db;
  statements: Map<string, Database.Statement>;
  refs: number;
  tail: Promise<unknown>;
  owner: string;
}

const shared = new Map<string, Shared>();

function sqlError(display: string, sql: string, e: unknown): GnnopsError {
  if (e instanceof GnnopsError) return e;
  const head = sql.trim().split('\n')[0].slice(0, 80);
  return new GnnopsError(ErrorCodes.INTERNAL, `store ${display}: ${(e as Error).message} (in: ${head})`, {
    store: display,
  });
}

/** How long a lease row lives without renewal: a crashed holder frees it after this. */
const LEASE_TTL_MS = 30_000;

/**
 * The embedded backend: one better-sqlite3 connection in WAL mode. better-sqlite3 is synchronous, so every
 * statement is serialised through one queue: a transaction awaits its own steps while statements from other async
 * callers wait, and cannot land inside it by accident. Across processes, `BEGIN IMMEDIATE` plus the busy timeout
 * makes writers take turns.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  readonly pushes = false;
  readonly display: string;
  readonly raw: Db;
  readonly path: string;
  private readonly conn: Shared;
  private readonly owner: string;
  private closed = false;
  private readonly leases = new Map<string, NodeJS.Timeout>();

  constructor(path: string, display = `sqlite:${path}`) {
    this.display = display;
    this.path = resolve(path);
    let conn = shared.get(this.path);
    if (!conn || !conn.raw.open) {
      let raw: Db;
      try {
        mkdirSync(dirname(this.path), { recursive: true });
        raw = new Database(this.path);
      } catch (e) {
        throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, `cannot open the store ${display}: ${(e as Error).message}`, {
          store: display,
        });
      }
      raw.pragma('busy_timeout = 10000');
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = NORMAL');
      raw.pragma('foreign_keys = ON');
      conn = {
        raw,
        statements: new Map(),
        refs: 0,
        tail: Promise.resolve(),
        owner: `${process.pid}-${Math.random().toString(36).slice(2)}`,
      };
      shared.set(this.path, conn);
    }
    conn.refs++;
    this.conn = conn;
    this.raw = conn.raw;
    // Leases belong to the handle, so two handles in one process still exclude each other.
    this.owner = `${conn.owner}-${conn.refs}-${Math.random().toString(36).slice(2)}`;
  }

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.conn.tail.then(fn, fn);
    this.conn.tail = next.catch(() => undefined);
    return next;
  }

  /** Statements prepared on this connection, by their SQLite text. */
  private stmt(text: string): Database.Statement {
    const cache = this.conn.statements;
    let st = cache.get(text);
    if (!st) {
      st = this.raw.prepare(text);
      if (cache.size > 500) cache.clear();
      cache.set(text, st);
    }
    return st;
  }

  private queryNow<R extends SqlRow>(sql: string, params?: readonly SqlValue[]): R[] {
    try {
      const p = toSqlite(sql);
      const stmt = this.stmt(p.sql);
      const args = bind(p, params);
      if (stmt.reader) return stmt.all(...args) as R[];
      stmt.run(...args);
      return [];
    } catch (e) {
      throw sqlError(this.display, sql, e);
    }
  }

  private runNow(sql: string, params?: readonly SqlValue[]): number {
    try {
      const p = toSqlite(sql);
      const stmt = this.stmt(p.sql);
      const args = bind(p, params);
      if (stmt.reader) return stmt.all(...args).length;
      return stmt.run(...args).changes;
    } catch (e) {
      throw sqlError(this.display, sql, e);
    }
  }

  private execNow(sql: string): void {
    try {
      this.raw.exec(sql);
    } catch (e) {
      throw sqlError(this.display, sql, e);
    }
  }

  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.serial(() => this.queryNow<R>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.serial(() => this.runNow(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.serial(() => this.execNow(sql));
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      this.execNow('BEGIN IMMEDIATE');
      let open = true;
      const tx: Transaction = {
        query: async <R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) => {
          if (!open) throw new GnnopsError(ErrorCodes.INTERNAL, 'statement after the transaction ended');
          return this.queryNow<R>(sql, params);
        },
        run: async (sql, params) => {
          if (!open) throw new GnnopsError(ErrorCodes.INTERNAL, 'statement after the transaction ended');
          return this.runNow(sql, params);
        },
        exec: async (sql) => {
          if (!open) throw new GnnopsError(ErrorCodes.INTERNAL, 'statement after the transaction ended');
          this.execNow(sql);
        },
        lockKey: async () => {},
        notify: async () => {},
      };
      try {
        const out = await fn(tx);
        this.execNow('COMMIT');
        return out;
      } catch (e) {
        if (this.raw.inTransaction) this.execNow('ROLLBACK');
        throw e;
      } finally {
        open = false;
      }
    });
  }

  /**
   * SQLite has no advisory locks, so a lease is a row with an owner and an expiry, renewed while held. A holder
   * that dies stops renewing, and the next taker finds the row expired.
   */
  async tryLease(name: string): Promise<Lease | null> {
    const now = Date.now();
    const got = await this.transaction(async (tx) => {
      await tx.exec(
        'CREATE TABLE IF NOT EXISTS db_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)',
      );
      const rows = await tx.query<{ owner: string; expires_at: number }>(
        'SELECT owner, expires_at FROM db_leases WHERE name = $1',
        [name],
      );
      const row = rows[0];
      if (row && row.owner !== this.owner && row.expires_at > now) return false;
      await tx.run(
        'INSERT INTO db_leases (name, owner, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
        [name, this.owner, now + LEASE_TTL_MS],
      );
      return true;
    });
    if (!got) return null;
    let held = true;
    const renew = setInterval(() => {
      this.run('UPDATE db_leases SET expires_at = $1 WHERE name = $2 AND owner = $3', [
        Date.now() + LEASE_TTL_MS,
        name,
        this.owner,
      ])
        .then((n) => {
          if (n === 0) held = false;
        })
        .catch(() => {
          held = false;
        });
    }, LEASE_TTL_MS / 3);
    renew.unref();
    this.leases.set(name, renew);
    return {
      name,
      held: () => held,
      release: async () => {
        clearInterval(renew);
        this.leases.delete(name);
        if (!held) return;
        held = false;
        if (this.raw.open) await this.run('DELETE FROM db_leases WHERE name = $1 AND owner = $2', [name, this.owner]);
      },
    };
  }

  /**
   * Run `fn`'s statements synchronously, now, in one transaction: for writers that cannot wait for the event loop
   * (an exit handler; metrics logged from a synchronous training loop, which would otherwise reach the store only
   * when the loop ends). Returns false, running nothing, while a queued transaction of this connection is open;
   * the caller then queues its write instead.
   */
  writeNow(fn: (ex: { run(sql: string, params?: readonly SqlValue[]): number }) => void): boolean {
    if (this.closed || !this.raw.open || this.raw.inTransaction) return false;
    this.raw.transaction(() => fn({ run: (sql, params) => this.runNow(sql, params) }))();
    return true;
  }

  async notify(): Promise<void> {}

  async listen(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.leases.values()) clearInterval(t);
    this.leases.clear();
    await this.serial(() => {
      if (this.raw.open) this.raw.prepare('DELETE FROM db_leases WHERE owner = ?').run(this.owner);
    }).catch(() => undefined);
    await this.serial(() => {
      this.conn.refs--;
      if (this.conn.refs === 0) {
        shared.delete(this.path);
        if (this.raw.open) this.raw.close();
      }
    });
  }
}

import pg from 'pg';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { Lease, SqlDb, SqlExecutor, SqlRow, SqlValue, Transaction } from './types.js';

/** 64-bit integers (COUNT, BIGINT ms timestamps) as numbers, as SQLite gives them; the store keeps them < 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
} as pg.CustomTypesConfig;

/** Error codes that mean the server or the network, not the statement: the caller gets "cannot reach". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

function isUnreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && (UNREACHABLE.has(err.code) || err.code.startsWith('08'))) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|connection error and is not queryable/i.test(
    err?.message ?? '',
  );
}

function storeError(display: string, e: unknown, sql?: string): GnnopsError {
  if (e instanceof GnnopsError) return e;
  const cause = (e as Error)?.message ?? String(e);
  if (isUnreachable(e)) {
    return new GnnopsError(ErrorCodes.NOT_AVAILABLE, `cannot reach the store ${display}: ${cause}`, { store: display });
  }
  const head = sql ? ` (in: ${sql.trim().split('\n')[0].slice(0, 80)})` : '';
  return new GnnopsError(ErrorCodes.INTERNAL, `store ${display}: ${cause}${head}`, { store: display });
}

function params(p: readonly SqlValue[] | undefined): unknown[] {
  if (!p) return [];
  // node-postgres sends Buffers as bytea; a plain typed-array view is wrapped without copying.
  return p.map((v) =>
    v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v,
  );
}

/** The one type name the portable DDL shares with SQLite but PostgreSQL spells differently. */
function portableDdl(sql: string): string {
  return sql.replace(/\bBLOB\b/g, 'BYTEA');
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `channel "${channel}": lower-case letters, digits and _ only`);
  }
}

/** A command waits on its own backoff; a background re-subscription must not keep a finished process alive. */
const sleep = (ms: number, keepAlive = true) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    if (!keepAlive) t.unref();
  });

export interface PostgresOptions {
  /** Pool size per process (default 10). */
  max?: number;
  /** Connection attempts before a command fails with "cannot reach" (default 4, backoff 100 ms doubling). */
  connectAttempts?: number;
}

/**
 * The shared backend: a node-postgres pool. The URL goes to node-postgres unchanged, so `sslmode`, `sslrootcert`
 * and the other libpq-style options apply. Connections that fail are retried with backoff before a command gives
 * up with an error naming the URL without its password and the cause.
 */
export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  readonly pushes = true;
  readonly display: string;
  private readonly pool: pg.Pool;
  private readonly url: string;
  private readonly attempts: number;
  private readonly closers = new Set<() => Promise<void>>();
  private closed = false;

  constructor(url: string, display: string, opts: PostgresOptions = {}) {
    this.url = url;
    this.display = display;
    this.attempts = opts.connectAttempts ?? 4;
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types, connectionTimeoutMillis: 5000 });
    // An idle connection dropped by a server restart must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
  }

  private async connect(): Promise<pg.PoolClient> {
    let wait = 100;
    for (let i = 1; ; i++) {
      try {
        return await this.pool.connect();
      } catch (e) {
        if (i >= this.attempts || !isUnreachable(e) || this.closed) throw storeError(this.display, e);
        await sleep(wait);
        wait *= 2;
      }
    }
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    // The pool listens for a connection's errors only while it is idle: one that dies while checked out (the server
    // restarted mid-transaction) emits 'error' here, and unheard that would crash the process.
    const onError = (e: Error) => {
      broken ??= e;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (e) {
      if (isUnreachable(e)) broken ??= e as Error;
      throw e;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  private executor(c: pg.ClientBase): SqlExecutor {
    const display = this.display;
    return {
      async query<R extends SqlRow = SqlRow>(sql: string, p?: readonly SqlValue[]): Promise<R[]> {
        try {
          return (await c.query(sql, params(p))).rows as R[];
        } catch (e) {
          throw storeError(display, e, sql);
        }
      },
      async run(sql: string, p?: readonly SqlValue[]): Promise<number> {
        try {
          return (await c.query(sql, params(p))).rowCount ?? 0;
        } catch (e) {
          throw storeError(display, e, sql);
        }
      },
      async exec(sql: string): Promise<void> {
        try {
          await c.query(portableDdl(sql));
        } catch (e) {
          throw storeError(display, e, sql);
        }
      },
    };
  }

  query<R extends SqlRow = SqlRow>(sql: string, p?: readonly SqlValue[]): Promise<R[]> {
    return this.withClient((c) => this.executor(c).query<R>(sql, p));
  }

  run(sql: string, p?: readonly SqlValue[]): Promise<number> {
    return this.withClient((c) => this.executor(c).run(sql, p));
  }

  exec(sql: string): Promise<void> {
    return this.withClient((c) => this.executor(c).exec(sql));
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.withClient(async (c) => {
      const ex = this.executor(c);
      await ex.exec('BEGIN');
      const tx: Transaction = {
        ...ex,
        lockKey: async (key) => {
          await ex.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
        },
        // PostgreSQL queues a NOTIFY issued in a transaction and delivers it at commit.
        notify: async (channel, payload) => {
          checkChannel(channel);
          await ex.query('SELECT pg_notify($1, $2)', [channel, payload]);
        },
      };
      try {
        const out = await fn(tx);
        await ex.exec('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** A session advisory lock on a connection of its own, held until release or until that connection drops. */
  async tryLease(name: string): Promise<Lease | null> {
    const client = new pg.Client({ connectionString: this.url, types });
    let held = false;
    client.on('error', () => {
      held = false;
    });
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [
        name,
      ]);
      held = r.rows[0]?.ok === true;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw storeError(this.display, e);
    }
    if (!held) {
      await client.end().catch(() => undefined);
      return null;
    }
    client.on('end', () => {
      held = false;
    });
    const release = async () => {
      this.closers.delete(release);
      if (held) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => undefined);
      held = false;
      await client.end().catch(() => undefined);
    };
    this.closers.add(release);
    return { name, held: () => held, release };
  }

  async notify(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>> {
    checkChannel(channel);
    let stopped = false;
    let client: pg.Client | undefined;
    const subscribe = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url, types });
      c.on('notification', (m) => {
        if (m.channel === channel) onMessage(m.payload ?? '');
      });
      let lost = false;
      const onLost = () => {
        if (lost || stopped) return;
        lost = true;
        void reconnect();
      };
      c.on('error', onLost);
      c.on('end', onLost);
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
    };
    const reconnect = async (): Promise<void> => {
      let wait = 100;
      while (!stopped) {
        await sleep(wait, false);
        try {
          await subscribe();
          onReconnect?.();
          return;
        } catch {
          wait = Math.min(wait * 2, 5000);
        }
      }
    };
    try {
      await subscribe();
    } catch (e) {
      throw storeError(this.display, e);
    }
    const stop = async () => {
      stopped = true;
      this.closers.delete(stop);
      await client?.end().catch(() => undefined);
    };
    this.closers.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.closers]) await c();
    await this.pool.end().catch(() => undefined);
  }
}

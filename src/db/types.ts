/**
 * The narrow SQL interface every store (tracking, registry, sweeps, request log) is written against, so one store
 * module runs on the embedded SQLite file and on a shared PostgreSQL server alike.
 *
 * Portable SQL only: parameters are `$1, $2, …` (PostgreSQL's form; rewritten for SQLite), `RETURNING` for generated
 * keys, `INTEGER`/`BIGINT`/`DOUBLE PRECISION`/`TEXT`/`BLOB` columns (`exec` spells BLOB as BYTEA on PostgreSQL; a migration may give PostgreSQL its own script
 * where the types differ). 64-bit integers come back as JavaScript numbers on both backends (timestamps in ms are
 * well inside 2^53).
 */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export type SqlRow = Record<string, unknown>;

export interface SqlExecutor {
  /** Rows of a statement (SELECT, or any statement with RETURNING). */
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Run a statement; the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Run a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Transaction extends SqlExecutor {
  /**
   * Serialise this transaction with every other that takes the same key, across processes, until it ends: what a
   * read-modify-write (allocating the next version number of a model) needs. PostgreSQL takes a transaction-level
   * advisory lock; SQLite's write transaction already excludes every other writer.
   */
  lockKey(key: string): Promise<void>;
  /**
   * Send a message to the channel's listeners when this transaction commits, never when it rolls back: a listener
   * that re-reads on the message always finds the change. No-op without push support.
   */
  notify(channel: string, payload: string): Promise<void>;
}

/** An exclusive, cross-process lease: the one scheduled drift check per deployment, for instance. */
export interface Lease {
  readonly name: string;
  /** False once the lease is lost (the connection holding it dropped, or it expired unrenewed). */
  held(): boolean;
  release(): Promise<void>;
}

export interface SqlDb extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** The URL without its password, for messages. */
  readonly display: string;
  /** Run fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Take the named lease if nobody holds it; null when another holder has it. */
  tryLease(name: string): Promise<Lease | null>;
  /** Whether `notify`/`listen` push messages (PostgreSQL); with SQLite, callers poll. */
  readonly pushes: boolean;
  /** Send a message to every listener of the channel (no-op without push support). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Call onMessage for every message on channel until the returned function is called. Reconnects with backoff
   * when the connection drops (onReconnect is called after each re-subscription, so callers can re-read state they
   * may have missed). Returns null without push support.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}

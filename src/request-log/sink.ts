import type { DatabaseTarget, SqlDb } from '../db/index.js';
import { log } from '../util/logger.js';
import { moduleWorker, WorkerCalls } from '../util/worker.js';
import { insertRequestLog } from './insert.js';
import type { RetentionPolicy } from './retention.js';
import type { RequestLogEntry } from './types.js';

/**
 * Where queued request-log batches go. `write` commits one batch in one transaction or rejects; a rejection that is
 * a LogWriteError carries the rows to queue again (the thread sink moved the originals' buffers away).
 */
export interface LogSink {
  write(rows: RequestLogEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** Writes on the calling thread through the portable interface (tests, tools), as `replica`. */
export function inlineSink(db: SqlDb, replica: string): LogSink {
  return {
    async write(rows) {
      await insertRequestLog(db, rows, replica);
    },
    async close() {},
  };
}

type Reply =
  | { id: number; ok: true; written: number }
  | { id: number; ok: false; error: string; rows: RequestLogEntry[] };
/** What the writer thread sends unasked: retention's progress. */
type Notice = { pruned: number } | { pruneError: string };

export interface ThreadSinkOptions {
  /** Stored with every row: the server that logged it (serve.replica). */
  replica: string;
  /** SQLite: wait this long for another connection's write lock (default 10,000 ms). */
  busyTimeoutMs?: number;
  /** Retention the writer thread enforces (retention.ts); off when absent or both limits are 0. */
  retention?: { policy: RetentionPolicy; intervalMs?: number; chunkRows?: number };
  /** Called with the rows retention deleted. */
  onPrune?: (n: number) => void;
}

/** A failed batch write; `rows` are the batch's rows, intact, to queue again. */
export class LogWriteError extends Error {
  constructor(
    message: string,
    readonly rows: RequestLogEntry[],
  ) {
    super(message);
  }
}

/**
 * The feature buffers of a batch, to move to the writer thread instead of copying: they are nearly all of its bytes
 * (24 KB for a 20 × 300 request; structured-cloning 1,000 of them stalled the event loop for milliseconds) and the
 * server does not read a row's features once it is queued. Only arrays that own their whole ArrayBuffer qualify
 * (moving a shared one would detach data others still use). A failed write sends the rows back the same way.
 */
export function featureBuffers(rows: readonly RequestLogEntry[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const r of rows) {
    const f = r.features;
    if (f && f.buffer instanceof ArrayBuffer && f.byteOffset === 0 && f.byteLength === f.buffer.byteLength)
      out.add(f.buffer);
  }
  return [...out];
}

/**
 * Writes on a worker thread with its own connection to the store `target` names (the server's default): the SQLite
 * file, or the PostgreSQL database every replica shares. The thread keeps the driver's work (SQLite's synchronous
 * writes, or encoding PostgreSQL's multi-row INSERTs) and any wait on the database off the event loop.
 * Under tsx (dev, tests) Node 20 does not run `--import tsx` in workers, so the worker registers tsx first.
 */
export function threadSink(target: DatabaseTarget, opts: ThreadSinkOptions): LogSink {
  const workerData = {
    target,
    replica: opts.replica,
    busyTimeoutMs: opts.busyTimeoutMs ?? 10_000,
    retention: opts.retention,
  };
  const start = () =>
    new WorkerCalls<Reply>(moduleWorker('writer-thread', import.meta.url, workerData), 'request-log writer', (m) => {
      const r = m as Notice;
      if ('pruned' in r) opts.onPrune?.(r.pruned);
      else log.warn({ err: r.pruneError }, 'request log retention: a prune step failed; retrying on the next check');
    });
  let calls = start();
  return {
    async write(rows) {
      // a thread that died (an uncaught error in a driver) is replaced: logging must not stop for the process's life
      if (calls.failure) {
        log.warn({ err: calls.failure }, 'request log: the writer thread stopped; starting a new one');
        calls = start();
      }
      let r: Reply;
      try {
        r = await calls.call({ rows }, featureBuffers(rows));
      } catch (e) {
        // the rows' feature buffers went to the thread that died: their samples are gone, the rows are kept
        throw new LogWriteError(`request-log writer thread: ${(e as Error).message}`, rows.map(withoutLostFeatures));
      }
      if (!r.ok) throw new LogWriteError(r.error, r.rows);
    },
    close: () => calls.close(),
  };
}

/** A row whose features were moved to a thread that never gave them back: stored without its sample. */
function withoutLostFeatures(r: RequestLogEntry): RequestLogEntry {
  return r.features && r.features.byteLength === 0 && r.numNodes * r.numFeatures > 0 ? { ...r, features: null } : r;
}

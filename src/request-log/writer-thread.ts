/**
 * The request-log writer thread: owns its own connection to the store and commits the batches the server posts,
 * so that database work (SQLite's synchronous writes and waits on another process's write lock, or building and
 * sending PostgreSQL's multi-row INSERTs) never blocks the server's event loop.
 * It also enforces request-log retention (RetentionScheduler: a bounded DELETE after each commit and on a timer).
 * Protocol: workerData {target, replica, busyTimeoutMs, retention?}; in {id, rows} | {close}; out
 * {id, ok: true, written} | {id, ok: false, error, rows} | {pruned: n} (rows retention deleted) | {pruneError: message}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DatabaseTarget, PostgresDb, type SqlDb, SqliteDb } from '../db/index.js';
import { batchInserter, insertRequestLog } from './insert.js';
import { RequestLogPruner, RetentionScheduler, retentionEnabled } from './retention.js';
import { featureBuffers, type ThreadSinkOptions } from './sink.js';
import type { RequestLogEntry } from './types.js';

const { target, replica, busyTimeoutMs, retention } = workerData as {
  target: DatabaseTarget;
  replica: string;
  busyTimeoutMs: number;
  retention?: ThreadSinkOptions['retention'];
};

let db: SqlDb;
let write: (rows: RequestLogEntry[]) => Promise<void> | void;
if (target.dialect === 'sqlite') {
  const lite = new SqliteDb(target.path, target.display);
  lite.raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // SQLite's fastest path: one prepared statement per row in one transaction, synchronous on this thread
  write = batchInserter(lite.raw, replica);
  db = lite;
} else {
  // One connection for the batches and one for retention; a failed connect is reported at once, and the queue in
  // the server retries with backoff (holding the rows, then shedding them with a count).
  db = new PostgresDb(target.url, target.display, { max: 2, connectAttempts: 1 });
  write = async (rows) => {
    await insertRequestLog(db, rows, replica);
  };
}

const retain =
  retention && retentionEnabled(retention.policy)
    ? new RetentionScheduler(new RequestLogPruner(db, retention.policy, { chunkRows: retention.chunkRows }), {
        intervalMs: retention.intervalMs,
        onPrune: (n) => parentPort?.postMessage({ pruned: n }),
        onError: (e) => parentPort?.postMessage({ pruneError: e.message }),
      })
    : undefined;
retain?.start();

parentPort?.on('message', async (m: { id: number; rows: RequestLogEntry[] } | { close: true }) => {
  if ('close' in m) {
    retain?.stop();
    await db.close();
    parentPort?.close();
    return;
  }
  try {
    await write(m.rows);
    parentPort?.postMessage({ id: m.id, ok: true, written: m.rows.length });
  } catch (e) {
    // the rows go back (their feature buffers were moved here) so the queue can retry them
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message, rows: m.rows }, featureBuffers(m.rows));
    return;
  }
  void retain?.afterCommit(); // after the reply: pruning never delays a batch's acknowledgement
});

/**
 * The request-log writer thread: owns its own connection to the store and commits the batches the server posts,
 * so that SQLite work (and waiting on another process's write lock) never blocks the server's event loop.
 * It also enforces request-log retention (RetentionScheduler: a bounded DELETE after each commit and on a timer).
 * Protocol: workerData {path, busyTimeoutMs, retention?}; in {id, rows} | {close}; out {id, ok: true, written} |
 * {id, ok: false, error, rows} | {pruned: n} (rows retention deleted) | {pruneError: message}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { batchInserter } from './insert.js';
import { RequestLogPruner, RetentionScheduler, retentionEnabled } from './retention.js';
import { featureBuffers, type ThreadSinkOptions } from './sink.js';
import type { RequestLogEntry } from './types.js';

const { path, busyTimeoutMs, retention } = workerData as {
  path: string;
  busyTimeoutMs: number;
  retention?: ThreadSinkOptions['retention'];
};
const db = new Database(path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
db.pragma('synchronous = NORMAL');
const write = batchInserter(db);
const retain =
  retention && retentionEnabled(retention.policy)
    ? new RetentionScheduler(new RequestLogPruner(db, retention.policy, { chunkRows: retention.chunkRows }), {
        intervalMs: retention.intervalMs,
        onPrune: (n) => parentPort?.postMessage({ pruned: n }),
        onError: (e) => parentPort?.postMessage({ pruneError: e.message }),
      })
    : undefined;
retain?.start();

parentPort?.on('message', (m: { id: number; rows: RequestLogEntry[] } | { close: true }) => {
  if ('close' in m) {
    retain?.stop();
    db.close();
    parentPort?.close();
    return;
  }
  try {
    write(m.rows);
    parentPort?.postMessage({ id: m.id, ok: true, written: m.rows.length });
  } catch (e) {
    // the rows go back (their feature buffers were moved here) so the queue can retry them
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message, rows: m.rows }, featureBuffers(m.rows));
    return;
  }
  retain?.afterCommit(); // after the reply: pruning never delays a batch's acknowledgement
});

/**
 * The request-log writer thread: owns its own connection to the store and commits the batches the server posts,
 * so that SQLite work (and waiting on another process's write lock) never blocks the server's event loop.
 * Protocol: workerData {path, busyTimeoutMs}; in {id, rows}; out {id, ok: true, written} | {id, ok: false, error, rows}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { batchInserter } from './insert.js';
import { featureBuffers } from './sink.js';
import type { RequestLogEntry } from './types.js';

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
const db = new Database(path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
db.pragma('synchronous = NORMAL');
const write = batchInserter(db);

parentPort?.on('message', (m: { id: number; rows: RequestLogEntry[] } | { close: true }) => {
  if ('close' in m) {
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
  }
});

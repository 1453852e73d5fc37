/**
 * The drift-check worker thread: reads the current window from the request log with its own read-only connection
 * and compares it with the reference profile, off the server's event loop (on the main thread one check of a
 * 5,000-row window took 220–360 ms, a stall every drift_interval_s for every request in flight).
 * Protocol: workerData {path}; in {id, profile, window}; out {id, ok: true, snapshot} | {id, ok: false, error}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { requestLogSnapshot } from '../../monitor/drift-check.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import { readRequestLog } from '../request-log/reader.js';

const db = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });

parentPort?.on('message', (m: { id: number; profile: ReferenceProfile; window: number } | { close: true }) => {
  if ('close' in m) {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    const snapshot = requestLogSnapshot(m.profile, readRequestLog(db, { last: m.window }));
    parentPort?.postMessage({ id: m.id, ok: true, snapshot });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});

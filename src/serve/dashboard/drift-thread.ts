/**
 * The drift worker thread: every drift computation the server makes over its request log (the background check,
 * and the dashboard's latest report and history), read with its own read-only connection and computed off the
 * server's event loop (on the main thread one 5,000-row check took 220–360 ms, a stall for every request in flight).
 * Protocol: workerData {path}; in {id, job: DriftJob} | {close}; out {id, ok: true, result} | {id, ok: false, error}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type DriftJob, runDriftJob } from './drift-worker.js';

const db = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });

parentPort?.on('message', (m: { id: number; job: DriftJob } | { close: true }) => {
  if ('close' in m) {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    parentPort?.postMessage({ id: m.id, ok: true, result: runDriftJob(db, m.job) });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});

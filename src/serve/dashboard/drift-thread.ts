/**
 * The drift worker thread: every drift computation the server makes over its request log (the background check,
 * and the dashboard's latest report, history and accuracy estimate) and every read of the drift-check history, with
 * its own connection to the store (the SQLite file or the shared PostgreSQL database), computed off the server's
 * event loop (on the main thread one 5,000-row check took 220–360 ms, a stall for every request in flight).
 * Protocol: workerData {target}; in {id, job: DriftJob} | {close}; out {id, ok: true, result} | {id, ok: false, error}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseTarget } from '../../db/index.js';
import { type LogStore, openLogStore } from '../../monitor/log-store.js';
import { type DriftJob, runDriftJob } from './drift-worker.js';

const target = (workerData as { target: DatabaseTarget }).target;
let store: Promise<LogStore> | undefined;

/**
 * The store, opened and migrated on first use (a server that does not log still reads a workspace whose tables may
 * not exist yet). An unreachable store fails the job with its message and is opened again by the next one.
 */
function open(): Promise<LogStore> {
  if (!store) {
    const p = openLogStore(target);
    p.catch(() => {
      if (store === p) store = undefined;
    });
    store = p;
  }
  return store;
}

parentPort?.on('message', async (m: { id: number; job: DriftJob } | { close: true }) => {
  if ('close' in m) {
    await store?.then((s) => s.db.close()).catch(() => undefined);
    parentPort?.close();
    return;
  }
  try {
    const { db } = await open();
    parentPort?.postMessage({ id: m.id, ok: true, result: await runDriftJob(db, m.job) });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, error: (e as Error).message });
  }
});

import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { requestLogSnapshot } from '../../monitor/drift-check.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import { moduleWorker } from '../../util/worker.js';
import { readRequestLog } from '../request-log/reader.js';
import { driftHistory, latestDrift } from './drift.js';

/** A drift computation over the last `window` request-log rows (see drift-thread.ts). */
export type DriftJob =
  | { kind: 'snapshot'; profile: ReferenceProfile; window: number }
  | { kind: 'latest'; profile: ReferenceProfile; source: string; window: number }
  | { kind: 'history'; profile: ReferenceProfile; window: number; windows: number };

type Snapshot = ReturnType<typeof requestLogSnapshot>;
type Latest = ReturnType<typeof latestDrift>;
type History = ReturnType<typeof driftHistory>;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * Runs the server's drift computations (the background check, the dashboard's latest report and history) on a
 * worker thread with its own read-only connection to the store `db` is open on, so they never stall the event loop.
 * An in-memory database (tests) cannot be shared with a thread: then the jobs run on the calling thread. The thread
 * starts on first use, runs one job at a time and keeps the process alive only while a job is pending.
 */
export class DriftWorker {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly db: Database.Database) {}

  snapshot(profile: ReferenceProfile, window: number): Promise<Snapshot> {
    return this.run({ kind: 'snapshot', profile, window }) as Promise<Snapshot>;
  }

  latest(profile: ReferenceProfile, source: string, window: number): Promise<Latest> {
    return this.run({ kind: 'latest', profile, source, window }) as Promise<Latest>;
  }

  history(profile: ReferenceProfile, window: number, windows: number): Promise<History> {
    return this.run({ kind: 'history', profile, window, windows }) as Promise<History>;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.ref(); // keep the process alive until the thread has closed its connection and exited
    w.postMessage({ close: true });
    await exited;
  }

  private run(job: DriftJob): Promise<unknown> {
    if (this.db.memory) return Promise.resolve().then(() => runDriftJob(this.db, job));
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.ref(); // a pending job keeps the process alive; an idle thread does not
      w.postMessage({ id, job });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = moduleWorker('drift-thread', import.meta.url, { path: this.db.name });
    w.unref();
    const failAll = (e: Error) => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined; // the next job starts a new thread
    };
    w.on('message', (r: Reply) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) w.unref();
      if (r.ok) p?.resolve(r.result);
      else p?.reject(new Error(r.error));
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('drift worker thread exited')));
    this.worker = w;
    return w;
  }
}

/** Runs a job on the calling thread: what the worker thread does with each message, and the in-memory fallback. */
export function runDriftJob(db: Database.Database, job: DriftJob): unknown {
  switch (job.kind) {
    case 'snapshot':
      return requestLogSnapshot(job.profile, readRequestLog(db, { last: job.window }));
    case 'latest':
      return latestDrift(db, job.profile, job.source, job.window);
    case 'history':
      return driftHistory(db, job.profile, job.window, job.windows);
  }
}

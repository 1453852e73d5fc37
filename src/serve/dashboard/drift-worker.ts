import type Database from 'better-sqlite3';
import { requestLogSnapshot } from '../../monitor/drift-check.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import { readRequestLog } from '../../request-log/reader.js';
import { moduleWorker, WorkerCalls } from '../../util/worker.js';
import { accuracyWindows, driftHistory, latestDrift } from './drift.js';

/** A drift computation over the last `window` request-log rows (see drift-thread.ts). */
export type DriftJob =
  | { kind: 'snapshot'; profile: ReferenceProfile; window: number }
  | { kind: 'latest'; profile: ReferenceProfile; source: string; window: number }
  | { kind: 'history'; profile: ReferenceProfile; window: number; windows: number }
  | { kind: 'accuracy'; served: { model: string; version: string }; window: number; windows: number };

type Snapshot = ReturnType<typeof requestLogSnapshot>;
type Latest = ReturnType<typeof latestDrift>;
type History = ReturnType<typeof driftHistory>;
type Accuracy = ReturnType<typeof accuracyWindows>;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * Runs the server's drift computations (the background check, the dashboard's latest report, history and accuracy
 * estimate) on a worker thread with its own read-only connection to the store `db` is open on, so they never stall the event loop.
 * An in-memory database (tests) cannot be shared with a thread: then the jobs run on the calling thread. The thread
 * starts on first use, runs one job at a time and keeps the process alive only while a job is pending.
 */
export class DriftWorker {
  private calls: WorkerCalls<Reply> | undefined;

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

  accuracy(served: { model: string; version: string }, window: number, windows: number): Promise<Accuracy> {
    return this.run({ kind: 'accuracy', served, window, windows }) as Promise<Accuracy>;
  }

  async close(): Promise<void> {
    const c = this.calls;
    this.calls = undefined;
    await c?.close();
  }

  private async run(job: DriftJob): Promise<unknown> {
    if (this.db.memory) return runDriftJob(this.db, job);
    // started on first use; a thread that died is replaced by the next job
    if (!this.calls || this.calls.failure)
      this.calls = new WorkerCalls(
        moduleWorker('drift-thread', import.meta.url, { path: this.db.name }),
        'drift worker',
      );
    const r = await this.calls.call({ job });
    if (!r.ok) throw new Error(r.error);
    return r.result;
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
    case 'accuracy':
      return accuracyWindows(db, job.served, job.window, job.windows);
  }
}

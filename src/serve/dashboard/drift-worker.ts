import type { DatabaseTarget, SqlDb } from '../../db/index.js';
import { requestLogSnapshot } from '../../monitor/drift-check.js';
import { type DriftCheckRecord, driftCheckHistory, type HistoryQuery } from '../../monitor/drift-history.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import { type ReplicaSummary, readRequestLog, requestLogReplicas } from '../../request-log/reader.js';
import { moduleWorker, WorkerCalls } from '../../util/worker.js';
import { accuracyWindows, driftHistory, latestDrift } from './drift.js';

/** Which rows a drift computation reads: the last `window` request-log rows, of one replica or of all. */
export interface LogWindow {
  window: number;
  /** Only this replica's rows (serve.replica); default the union of every replica's. */
  replica?: string;
}

/** A drift computation over the request log, or a read of the stored drift-check history (see drift-thread.ts). */
export type DriftJob =
  | ({ kind: 'snapshot'; profile: ReferenceProfile } & LogWindow)
  | ({ kind: 'latest'; profile: ReferenceProfile; source: string } & LogWindow)
  | ({ kind: 'history'; profile: ReferenceProfile; windows: number } & LogWindow)
  | ({ kind: 'accuracy'; served: { model: string; version: string }; windows: number } & LogWindow)
  | { kind: 'checks'; query: HistoryQuery }
  | { kind: 'replicas'; since?: number };

type Snapshot = ReturnType<typeof requestLogSnapshot>;
type Latest = ReturnType<typeof latestDrift>;
type History = ReturnType<typeof driftHistory>;
type Accuracy = ReturnType<typeof accuracyWindows>;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * Runs the server's drift computations (the background check, the dashboard's latest report, history and accuracy
 * estimate) and its reads of the drift-check history on a worker thread with its own connection to the store
 * `target` names, so they never stall the event loop (reading 5,000 rows with their features and comparing them
 * takes hundreds of milliseconds). The thread starts on first use, runs one job at a time and keeps the process
 * alive only while a job is pending.
 */
export class DriftWorker {
  private calls: WorkerCalls<Reply> | undefined;

  constructor(readonly target: DatabaseTarget) {}

  snapshot(profile: ReferenceProfile, w: LogWindow): Promise<Snapshot> {
    return this.run({ kind: 'snapshot', profile, ...w }) as Promise<Snapshot>;
  }

  latest(profile: ReferenceProfile, source: string, w: LogWindow): Promise<Latest> {
    return this.run({ kind: 'latest', profile, source, ...w }) as Promise<Latest>;
  }

  history(profile: ReferenceProfile, windows: number, w: LogWindow): Promise<History> {
    return this.run({ kind: 'history', profile, windows, ...w }) as Promise<History>;
  }

  accuracy(served: { model: string; version: string }, windows: number, w: LogWindow): Promise<Accuracy> {
    return this.run({ kind: 'accuracy', served, windows, ...w }) as Promise<Accuracy>;
  }

  checks(query: HistoryQuery): Promise<DriftCheckRecord[]> {
    return this.run({ kind: 'checks', query }) as Promise<DriftCheckRecord[]>;
  }

  replicas(since?: number): Promise<ReplicaSummary[]> {
    return this.run({ kind: 'replicas', since }) as Promise<ReplicaSummary[]>;
  }

  async close(): Promise<void> {
    const c = this.calls;
    this.calls = undefined;
    await c?.close();
  }

  private async run(job: DriftJob): Promise<unknown> {
    // started on first use; a thread that died is replaced by the next job
    if (!this.calls || this.calls.failure)
      this.calls = new WorkerCalls(
        moduleWorker('drift-thread', import.meta.url, { target: this.target }),
        'drift worker',
      );
    const r = await this.calls.call({ job });
    if (!r.ok) throw new Error(r.error);
    return r.result;
  }
}

/** Runs a job on the calling thread: what the worker thread does with each message. */
export async function runDriftJob(db: SqlDb, job: DriftJob): Promise<unknown> {
  switch (job.kind) {
    case 'snapshot':
      return requestLogSnapshot(job.profile, await readRequestLog(db, { last: job.window, replica: job.replica }));
    case 'latest':
      return latestDrift(await readRequestLog(db, { last: job.window, replica: job.replica }), job.profile, job.source);
    case 'history':
      return driftHistory(
        await readRequestLog(db, { last: job.window, replica: job.replica }),
        job.profile,
        job.windows,
      );
    case 'accuracy':
      return accuracyWindows(
        await readRequestLog(db, { last: job.window, replica: job.replica, ...job.served }),
        job.windows,
      );
    case 'checks':
      return driftCheckHistory(db, job.query);
    case 'replicas':
      return requestLogReplicas(db, { since: job.since });
  }
}

import { hostname } from 'node:os';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import type { TrialIo } from './driver.js';
import type { Executor } from './executor.js';
import type { BandTable } from './hyperband.js';
import { ProcessPoolExecutor } from './pool.js';
import type { TrialOutcome, TrialTask } from './types.js';

/**
 * Scale-out over Redis with BullMQ. The sweep process (controller) keeps the store, the searcher and Hyperband;
 * it puts each trial on a queue as a job `<sweepId>-<index>-<attempt>` and reads results back from the job's
 * return value. `gnnops sweep worker` processes on any machine pull jobs and run each trial in a child process
 * (keeping their event loop free for BullMQ's lock renewals), streaming epochs as job progress. Hyperband's
 * bracket table is published to a Redis key that workers read after each epoch, so stop decisions are made
 * where the trial runs, as with local workers.
 */
export const DEFAULT_QUEUE = 'gnnops-sweeps';

export interface QueueConnection {
  url: string;
  /** Queue name (default gnnops-sweeps). Controller and workers must agree. */
  name?: string;
}

function connection(url: string): { url: string; maxRetriesPerRequest: null } {
  if (!/^rediss?:\/\//.test(url)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--queue must be a redis:// or rediss:// URL, got "${url}"`, {
      queue: url,
    });
  }
  // BullMQ requires maxRetriesPerRequest: null for its blocking connections.
  return { url, maxRetriesPerRequest: null };
}

const bandsKey = (sweepId: string) => `gnnops:sweep:${sweepId}:bands`;

interface JobData {
  task: TrialTask;
}
type Progress = { step: number; metrics: Record<string, number> };

function isProgress(v: unknown): v is Progress {
  return typeof v === 'object' && v !== null && 'step' in v && 'metrics' in v;
}

/** Controller side: trials become jobs; results come back as job return values. */
export class QueueExecutor implements Executor {
  readonly slots: number;
  readonly #queue: Queue<JobData, TrialOutcome>;
  readonly #events: QueueEvents;
  readonly #ios = new Map<string, { io: TrialIo; sweepId: string }>();
  #ready: Promise<void>;

  constructor(conn: QueueConnection, slots: number) {
    this.slots = Math.max(1, slots);
    const name = conn.name ?? DEFAULT_QUEUE;
    this.#queue = new Queue<JobData, TrialOutcome>(name, { connection: connection(conn.url) });
    this.#events = new QueueEvents(name, { connection: connection(conn.url) });
    this.#events.on('progress', ({ jobId, data }) => {
      const entry = this.#ios.get(jobId);
      if (!entry || !isProgress(data)) return;
      entry.io.onEpoch(data.step, data.metrics);
      void this.#publish(entry.sweepId, entry.io.bandTable());
    });
    this.#ready = this.#events.waitUntilReady().then(() => undefined);
  }

  async #publish(sweepId: string, table: BandTable): Promise<void> {
    try {
      const client = await this.#queue.getBackend().client;
      await client.set(bandsKey(sweepId), JSON.stringify(table), { EX: 7 * 86_400 });
    } catch (e) {
      log.warn({ err: e }, 'could not publish the hyperband table');
    }
  }

  async run(task: TrialTask, io: TrialIo): Promise<TrialOutcome> {
    try {
      await this.#ready;
      await this.#publish(task.sweepId, io.bandTable());
      // A resumed trial may still have a job from the dead controller: reuse its result or wait for it.
      for (let a = task.attempt - 1; a >= 1; a--) {
        const old = await this.#queue.getJob(`${task.sweepId}-${task.index}-${a}`);
        if (!old) continue;
        const state = await old.getState();
        if (state === 'completed') return old.returnvalue;
        if (state === 'active') return await this.#await(old, task, io);
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await old.remove();
      }
      const job = await this.#queue.add(
        'trial',
        { task },
        {
          jobId: `${task.sweepId}-${task.index}-${task.attempt}`,
          attempts: 1,
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: { age: 7 * 86_400 },
        },
      );
      return await this.#await(job, task, io);
    } catch (e) {
      return { status: 'failed', metrics: {}, value: null, epochs: 0, error: (e as Error).message };
    }
  }

  async #await(job: Job<JobData, TrialOutcome>, task: TrialTask, io: TrialIo): Promise<TrialOutcome> {
    const id = job.id as string;
    this.#ios.set(id, { io, sweepId: task.sweepId });
    try {
      const aborted = new Promise<TrialOutcome>((res) => {
        const fail = () =>
          res({ status: 'failed', metrics: {}, value: null, epochs: 0, error: 'controller stopped waiting' });
        if (io.signal?.aborted) fail();
        io.signal?.addEventListener('abort', fail, { once: true });
      });
      const finished = job.waitUntilFinished(this.#events).then(
        (v: TrialOutcome) => v,
        (e: unknown): TrialOutcome => ({
          status: 'failed',
          metrics: {},
          value: null,
          epochs: 0,
          error: `queue job ${id} failed: ${(e as Error).message}`,
        }),
      );
      return await Promise.race([finished, aborted]);
    } finally {
      this.#ios.delete(id);
    }
  }

  async close(): Promise<void> {
    await this.#events.close();
    await this.#queue.close();
  }
}

export interface QueueWorkerOptions extends QueueConnection {
  /** Trials run at once on this machine (each in its own child process). Default 1. */
  concurrency?: number;
  /** Trial module (default: the gnnops trainer). */
  module: string;
  signal?: AbortSignal;
  /** Called after each job with its outcome. */
  onJob?: (task: TrialTask, outcome: TrialOutcome) => void;
}

/** Worker side: pull trial jobs until `signal` aborts. Resolves when the worker has closed. */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<void> {
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const pool = new ProcessPoolExecutor({ workers: concurrency, module: opts.module });
  const me = `${hostname()}:${process.pid}`;
  const worker = new Worker<JobData, TrialOutcome>(
    opts.name ?? DEFAULT_QUEUE,
    async (job) => {
      const task = job.data.task;
      const client = await worker.getBackend().client;
      let table: BandTable = {};
      const refresh = async () => {
        const raw = await client.get(bandsKey(task.sweepId)).catch(() => null);
        if (raw) table = JSON.parse(raw) as BandTable;
      };
      await refresh();
      const outcome = await pool.run(task, {
        onEpoch(step, metrics) {
          void job.updateProgress({ step, metrics });
          void refresh();
        },
        bandTable: () => table,
        signal: opts.signal,
      });
      outcome.worker = `${me}/${outcome.worker ?? '?'}`;
      opts.onJob?.(task, outcome);
      return outcome;
    },
    { connection: connection(opts.url), concurrency, lockDuration: 120_000 },
  );
  worker.on('error', (err) => log.error({ err }, 'sweep worker error'));
  await worker.waitUntilReady();
  log.info({ queue: opts.name ?? DEFAULT_QUEUE, concurrency }, 'sweep worker ready');
  await new Promise<void>((res) => {
    if (opts.signal?.aborted) return res();
    opts.signal?.addEventListener('abort', () => res(), { once: true });
  });
  await worker.close();
  await pool.close();
}

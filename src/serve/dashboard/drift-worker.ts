import type { Worker } from 'node:worker_threads';
import type { requestLogSnapshot } from '../../monitor/drift-check.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import { moduleWorker } from '../../util/worker.js';

/** What the thread sends back: requestLogSnapshot's result. */
type Snapshot = ReturnType<typeof requestLogSnapshot>;
type Reply = { id: number; ok: true; snapshot: Snapshot } | { id: number; ok: false; error: string };

/**
 * Runs the server's background drift check (the last `window` request-log rows against a reference profile) on a
 * worker thread with its own read-only connection to the store at `path` (see drift-thread.ts). The thread is
 * started on first use and does not keep the process alive.
 */
export class DriftWorker {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (s: Snapshot) => void; reject: (e: Error) => void }>();

  constructor(private readonly path: string) {}

  check(profile: ReferenceProfile, window: number): Promise<Snapshot> {
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.ref(); // a pending check keeps the process alive; an idle thread does not
      w.postMessage({ id, profile, window });
    });
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

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = moduleWorker('drift-thread', import.meta.url, { path: this.path });
    w.unref();
    const failAll = (e: Error) => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined; // the next check starts a new thread
    };
    w.on('message', (r: Reply) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) w.unref();
      if (r.ok) p?.resolve(r.snapshot);
      else p?.reject(new Error(r.error));
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('drift worker thread exited')));
    this.worker = w;
    return w;
  }
}

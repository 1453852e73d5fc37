import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Transferable, Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` that sits beside the caller (`importMetaUrl`): the .ts source under tsx
 * (dev, tests) and the .js file in the build. Node 20 does not apply `--import tsx` to workers, so under tsx the
 * worker registers tsx's loader before importing the module. `transferList` moves ports or buffers in workerData.
 */
export function moduleWorker(
  name: string,
  importMetaUrl: string,
  workerData: unknown,
  transferList: Transferable[] = [],
): Worker {
  const ext = extname(fileURLToPath(importMetaUrl));
  const url = new URL(`./${name}${ext}`, importMetaUrl);
  return ext === '.ts'
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, {
        eval: true,
        workerData,
        transferList,
      })
    : new Worker(url, { workerData, transferList });
}

/** A reply to a call: `id` says which. */
export interface CallReply {
  id: number;
}

/**
 * Calls over a worker thread, the pattern of every long-lived worker here: a call posts `{id, ...message}` and
 * resolves with the reply message carrying that id (the caller reads success or failure from it). Pending calls keep
 * the process alive, an idle thread does not. Messages without an id go to `onOther`. Once the thread errs or exits,
 * `failure` is set, pending calls reject with it and new calls reject at once.
 */
export class WorkerCalls<R extends CallReply> {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    what: string,
    onOther?: (message: unknown) => void,
  ) {
    worker.unref();
    const failAll = (e: Error) => {
      this.failure ??= e;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    worker.on('message', (m: R | Record<string, unknown>) => {
      if (typeof m.id !== 'number') {
        onOther?.(m);
        return;
      }
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      p?.resolve(m as R);
    });
    worker.on('error', failAll);
    worker.on('exit', () => failAll(new Error(`${what} thread exited`)));
  }

  call(message: object, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...message }, transfer);
    });
  }

  /** Ask the thread to finish (`{close: true}`) and wait until it has exited (nothing to do after a failure). */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.ref();
    this.worker.postMessage({ close: true });
    await exited;
  }
}

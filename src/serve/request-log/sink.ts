import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { batchInserter } from './insert.js';
import type { RequestLogEntry } from './types.js';

/** Where queued request-log batches go. `write` commits one batch in one transaction or rejects (rows kept). */
export interface LogSink {
  write(rows: RequestLogEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** Writes on the calling thread (tests, tools). */
export function inlineSink(db: Database.Database): LogSink {
  const write = batchInserter(db);
  return {
    async write(rows) {
      write(rows);
    },
    async close() {},
  };
}

type Reply = { id: number; ok: true; written: number } | { id: number; ok: false; error: string };

/**
 * Writes on a worker thread with its own connection to the database file at `path` (the server's default).
 * Under tsx (dev, tests) Node 20 does not run `--import tsx` in workers, so the worker registers tsx first.
 */
export function threadSink(path: string, busyTimeoutMs = 10_000): LogSink {
  const url = new URL(`./writer-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const workerData = { path, busyTimeoutMs };
  const w = url.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, {
        eval: true,
        workerData,
      })
    : new Worker(url, { workerData });
  w.unref();
  let seq = 0;
  let failure: Error | undefined;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    failure = e;
    for (const p of waiting.values()) p.reject(e);
    waiting.clear();
  };
  w.on('message', (r: Reply) => {
    const p = waiting.get(r.id);
    waiting.delete(r.id);
    if (waiting.size === 0) w.unref(); // … an idle writer does not
    if (r.ok) p?.resolve();
    else p?.reject(new Error(r.error));
  });
  w.on('error', failAll);
  w.on('exit', () => failAll(new Error('request-log writer thread exited')));
  return {
    write(rows) {
      if (failure) return Promise.reject(failure);
      const id = ++seq;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.ref(); // a pending write keeps the process alive …
        w.postMessage({ id, rows });
      });
    },
    async close() {
      if (failure) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.ref(); // keep the process alive until the writer has committed and exited
      w.postMessage({ close: true });
      await exited;
    },
  };
}

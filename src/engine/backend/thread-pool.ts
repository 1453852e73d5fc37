/**
 * Runs one kernel call across the main thread and N−1 worker threads that share one WebAssembly.Memory. Dispatch
 * goes through a control block with Atomics (no postMessage per call): the main thread writes the kernel index, the
 * arguments and the chunk boundaries, bumps a generation counter, claims chunks itself like the workers do, then
 * waits until every worker has counted itself done. Workers spin briefly before sleeping in Atomics.wait, so back-to-back calls
 * (the common case in a training step) avoid the futex wake-up.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { CTRL } from './control.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { WORKER_SOURCE } from './worker-source.js';

/** A kernel export: (lo, hi, ...args) → void. */
export type KernelFn = (...args: number[]) => void;

export interface ThreadPoolOptions {
  module: WasmModule;
  memory: WasmMemory;
  /** Main thread's kernel functions, in the same order as names. */
  fns: KernelFn[];
  names: string[];
  threads: number;
  /** Spin iterations before a waiting thread sleeps (default 20000, roughly 50–100 µs). */
  spin?: number;
}

const READY_TIMEOUT_MS = 20000;

export class ThreadPool {
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly fns: KernelFn[];
  private readonly spin: number;
  private disposed = false;

  constructor(opts: ThreadPoolOptions) {
    if (opts.threads < 1 || opts.threads > CTRL.MAX_THREADS) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `threads: ${opts.threads} is outside 1..${CTRL.MAX_THREADS}`, {
        field: 'threads',
        value: opts.threads,
      });
    }
    this.threads = opts.threads;
    this.fns = opts.fns;
    this.spin = opts.spin ?? 20000;
    const buffer = new SharedArrayBuffer(CTRL.BYTES);
    this.ctrl = new Int32Array(buffer, 0, CTRL.ARGS_BYTE / 4);
    this.args = new Float64Array(buffer, CTRL.ARGS_BYTE, CTRL.MAX_ARGS);
    const nWorkers = this.threads - 1;
    for (let i = 1; i < this.threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: {
          module: opts.module,
          memory: opts.memory,
          ctrlBuffer: buffer,
          names: opts.names,
          spin: this.spin,
          nWorkers,
        },
      });
      w.unref();
      this.workers.push(w);
    }
    // Block until every worker has instantiated the module (the main thread may Atomics.wait in Node).
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(this.ctrl, CTRL.READY);
      if (ready >= nWorkers) break;
      if (Date.now() > deadline) {
        this.dispose();
        throw new GnnopsError(ErrorCodes.INTERNAL, `kernel workers: only ${ready} of ${nWorkers} started`);
      }
      Atomics.wait(this.ctrl, CTRL.READY, ready, 50);
    }
    if (Atomics.load(this.ctrl, CTRL.ERROR) !== 0) {
      this.dispose();
      throw new GnnopsError(ErrorCodes.INTERNAL, 'kernel workers: instantiating build/kernels.wasm failed');
    }
  }

  /**
   * Runs fns[fn](lo, hi, ...args) for every chunk [bounds[c], bounds[c+1]), c < nchunks. The caller and the workers
   * claim chunks from a shared counter until none are left, so a thread that is slow (or descheduled on a busy
   * machine) does less of the work; which thread runs a chunk never changes the result. One chunk runs inline.
   */
  run(fn: number, args: number[], bounds: number[], nchunks: number): void {
    const f = this.fns[fn];
    if (nchunks <= 1 || this.threads === 1) {
      for (let c = 0; c < nchunks; c++) if (bounds[c] < bounds[c + 1]) f(bounds[c], bounds[c + 1], ...args);
      return;
    }
    if (this.disposed) throw new GnnopsError(ErrorCodes.INTERNAL, 'kernel backend used after dispose()');
    if (!(nchunks <= CTRL.MAX_CHUNKS)) throw new GnnopsError(ErrorCodes.INTERNAL, `kernel call: ${nchunks} chunks`);
    const ctrl = this.ctrl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    for (let i = 0; i <= nchunks; i++) ctrl[CTRL.BOUNDS + i] = bounds[i];
    ctrl[CTRL.FN] = fn;
    ctrl[CTRL.NARGS] = args.length;
    ctrl[CTRL.NCHUNKS] = nchunks;
    Atomics.store(ctrl, CTRL.NEXT, 0);
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.add(ctrl, CTRL.GEN, 1);
    if (Atomics.load(ctrl, CTRL.SLEEPERS) > 0) Atomics.notify(ctrl, CTRL.GEN);
    let err: unknown;
    try {
      for (;;) {
        const c = Atomics.add(ctrl, CTRL.NEXT, 1);
        if (c >= nchunks) break;
        if (bounds[c] < bounds[c + 1]) f(bounds[c], bounds[c + 1], ...args);
      }
    } catch (e) {
      err = e;
      // let the workers finish the remaining chunks before the control block is reused
    }
    // Every worker must have seen this call before the next one rewrites the control block.
    const want = this.threads - 1;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.DONE);
      if (done >= want) break;
      if (++spins > this.spin) Atomics.wait(ctrl, CTRL.DONE, done, 1000);
    }
    if (err) throw err;
    if (Atomics.load(ctrl, CTRL.ERROR) !== 0) {
      Atomics.store(ctrl, CTRL.ERROR, 0);
      throw new GnnopsError(ErrorCodes.INTERNAL, 'a kernel failed on a worker thread (out-of-bounds index?)');
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/**
 * Runs one kernel call across the main thread and N−1 worker threads that share one WebAssembly.Memory. Dispatch
 * goes through a control block with Atomics (no postMessage per call): the main thread writes the kernel index, the
 * arguments and a [lo, hi) range per thread, bumps a generation counter, runs range 0 itself, then waits until every
 * worker has counted itself done. Workers spin briefly before sleeping in Atomics.wait, so back-to-back calls
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
    for (let tid = 1; tid < this.threads; tid++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: {
          module: opts.module,
          memory: opts.memory,
          ctrlBuffer: buffer,
          tid,
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
   * Runs fns[fn](lo_t, hi_t, ...args) with ranges[2t], ranges[2t+1] on thread t. Thread 0 is the caller.
   * With a single non-empty range on thread 0 nothing is dispatched.
   */
  run(fn: number, args: number[], ranges: number[]): void {
    const f = this.fns[fn];
    const t = this.threads;
    let others = false;
    for (let i = 1; i < t; i++) if (ranges[2 * i] < ranges[2 * i + 1]) others = true;
    if (!others) {
      if (ranges[0] < ranges[1]) f(ranges[0], ranges[1], ...args);
      return;
    }
    if (this.disposed) throw new GnnopsError(ErrorCodes.INTERNAL, 'kernel backend used after dispose()');
    const ctrl = this.ctrl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    for (let i = 0; i < 2 * t; i++) ctrl[CTRL.RANGES + i] = ranges[i];
    ctrl[CTRL.FN] = fn;
    ctrl[CTRL.NARGS] = args.length;
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.add(ctrl, CTRL.GEN, 1);
    if (Atomics.load(ctrl, CTRL.SLEEPERS) > 0) Atomics.notify(ctrl, CTRL.GEN);
    let err: unknown;
    try {
      if (ranges[0] < ranges[1]) f(ranges[0], ranges[1], ...args);
    } catch (e) {
      err = e;
    }
    const want = t - 1;
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

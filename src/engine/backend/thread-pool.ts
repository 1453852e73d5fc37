/**
 * Runs one kernel call across the main thread and N−1 worker threads that share one WebAssembly.Memory. Dispatch
 * goes through a control block with Atomics (no postMessage per call): the main thread writes the kernel index, the
 * arguments and the chunk boundaries, publishes a ticket and bumps a generation counter, claims chunks itself like
 * the workers do, then waits only for the chunks the workers claimed. Workers spin briefly before sleeping in Atomics.wait, so back-to-back calls
 * (the common case in a training step) avoid the futex wake-up.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { CTRL, claimChunk } from './control.js';
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
  /** Spin iterations before a waiting thread sleeps (default GNNOPS_KERNEL_SPIN or 20000, roughly 50–100 µs). */
  spin?: number;
}

const READY_TIMEOUT_MS = 20000;

export class ThreadPool {
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly ticket: BigInt64Array;
  private gen = 0;
  private readonly workers: Worker[] = [];
  private readonly fns: KernelFn[];
  private readonly names: string[];
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
    this.names = opts.names;
    this.spin = opts.spin ?? Number(process.env.GNNOPS_KERNEL_SPIN ?? 20000);
    const buffer = new SharedArrayBuffer(CTRL.BYTES);
    this.ctrl = new Int32Array(buffer, 0, CTRL.ARGS_BYTE / 4);
    this.args = new Float64Array(buffer, CTRL.ARGS_BYTE, CTRL.MAX_ARGS);
    this.ticket = new BigInt64Array(buffer, CTRL.TICKET_BYTE, 1);
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
   * claim chunks until none are left, so a thread that is slow (or descheduled on a busy machine) does less of the
   * work, and the caller waits only for chunks actually claimed. Which thread runs a chunk never changes the result.
   * One chunk (or one thread) runs inline.
   */
  run(fn: number, args: number[], bounds: number[], nchunks: number): void {
    const f = this.fns[fn];
    if (nchunks <= 1 || this.threads === 1) {
      try {
        for (let c = 0; c < nchunks; c++) if (bounds[c] < bounds[c + 1]) f(bounds[c], bounds[c + 1], ...args);
      } catch (e) {
        throw new GnnopsError(
          ErrorCodes.INTERNAL,
          `kernel ${this.names[fn]}: ${(e as Error).message} (an index out of range?)`,
          {
            kernel: this.names[fn],
          },
        );
      }
      return;
    }
    if (this.disposed) throw new GnnopsError(ErrorCodes.INTERNAL, 'kernel backend used after dispose()');
    if (!(nchunks <= CTRL.MAX_CHUNKS)) throw new GnnopsError(ErrorCodes.INTERNAL, `kernel call: ${nchunks} chunks`);
    const ctrl = this.ctrl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    for (let i = 0; i <= nchunks; i++) ctrl[CTRL.BOUNDS + i] = bounds[i];
    ctrl[CTRL.FN] = fn;
    ctrl[CTRL.NARGS] = args.length;
    Atomics.store(ctrl, CTRL.COMPLETED, 0);
    this.gen = (this.gen + 1) >>> 0;
    Atomics.store(this.ticket, 0, (BigInt(this.gen) << 32n) | (BigInt(nchunks) << 16n));
    Atomics.add(ctrl, CTRL.GEN, 1);
    if (Atomics.load(ctrl, CTRL.SLEEPERS) > 0) Atomics.notify(ctrl, CTRL.GEN);
    let err: unknown;
    for (;;) {
      const c = claimChunk(this.ticket);
      if (c < 0) break;
      try {
        if (bounds[c] < bounds[c + 1]) f(bounds[c], bounds[c + 1], ...args);
      } catch (e) {
        err ??= e;
      }
      Atomics.add(ctrl, CTRL.COMPLETED, 1);
    }
    // Wait only for the chunks the workers claimed.
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.COMPLETED);
      if (done >= nchunks) break;
      if (++spins > this.spin) Atomics.wait(ctrl, CTRL.COMPLETED, done, 1000);
    }
    const workerFailed = Atomics.load(ctrl, CTRL.ERROR) !== 0;
    Atomics.store(ctrl, CTRL.ERROR, 0);
    if (err || workerFailed) {
      const why = err instanceof Error ? err.message : 'it failed on a worker thread';
      throw new GnnopsError(ErrorCodes.INTERNAL, `kernel ${this.names[fn]}: ${why} (an index out of range?)`, {
        kernel: this.names[fn],
      });
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

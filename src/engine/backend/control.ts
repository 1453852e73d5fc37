/**
 * Layout of the control block (a SharedArrayBuffer outside wasm memory) through which the main thread dispatches a
 * kernel call to the workers. Int32 slots, then float64 arguments.
 */
export const CTRL = Object.freeze({
  /** Incremented by the main thread for each dispatched call; workers wait on it. */
  GEN: 0,
  /** Workers that finished the current call. */
  DONE: 1,
  /** Kernel index into the names list. */
  FN: 2,
  NARGS: 3,
  /** Set to 1 to make workers exit. */
  STOP: 4,
  /** Workers currently blocked in Atomics.wait (the main thread notifies only when > 0). */
  SLEEPERS: 5,
  /** Workers that instantiated the module. */
  READY: 6,
  /** Set by a worker whose kernel call threw. */
  ERROR: 7,
  /** [lo, hi) per thread id (thread 0 = main) start here. */
  RANGES: 16,
  MAX_THREADS: 64,
  ARGS_BYTE: 1024,
  MAX_ARGS: 16,
  BYTES: 1024 + 16 * 8,
});

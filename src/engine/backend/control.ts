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
  /** Number of chunks of the current call. */
  NCHUNKS: 8,
  /** Next unclaimed chunk (threads claim chunks with Atomics.add). */
  NEXT: 9,
  /** Chunk boundaries: chunk c is [BOUNDS[c], BOUNDS[c + 1]). */
  BOUNDS: 16,
  MAX_CHUNKS: 512,
  MAX_THREADS: 64,
  ARGS_BYTE: 4096,
  MAX_ARGS: 16,
  BYTES: 4096 + 16 * 8,
});

/**
 * Layout of the control block (a SharedArrayBuffer outside wasm memory) through which the main thread dispatches a
 * kernel call to the workers: Int32 slots, a 64-bit ticket, chunk bounds, then float64 arguments.
 *
 * Chunks are claimed by compare-and-swap on the ticket = generation (high 32 bits) | chunk count (bits 16–31) |
 * next chunk (bits 0–15). A successful claim pins the call: the main thread rewrites the block only after every
 * claimed chunk has completed, so a worker that wakes late can never run a chunk with another call's arguments,
 * and the main thread never waits for a worker that claimed nothing.
 */
export const CTRL = Object.freeze({
  /** Incremented by the main thread for each dispatched call; idle workers wait on it. */
  GEN: 0,
  /** Chunks of the current call that have completed. */
  COMPLETED: 1,
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
  /** Byte offset of the BigInt64 ticket. */
  TICKET_BYTE: 64,
  /** Chunk boundaries (Int32 index): chunk c is [BOUNDS[c], BOUNDS[c + 1]). */
  BOUNDS: 32,
  MAX_CHUNKS: 512,
  MAX_THREADS: 64,
  ARGS_BYTE: 4096,
  MAX_ARGS: 16,
  BYTES: 4096 + 16 * 8,
});

/** Claims the next chunk of the call on the ticket; −1 when none is left. */
export function claimChunk(ticket: BigInt64Array): number {
  for (;;) {
    const t = Atomics.load(ticket, 0);
    const next = Number(t & 0xffffn);
    if (next >= Number((t >> 16n) & 0xffffn)) return -1;
    if (Atomics.compareExchange(ticket, 0, t, t + 1n) === t) return next;
  }
}

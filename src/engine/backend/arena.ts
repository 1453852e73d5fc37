/**
 * A size-class allocator over a shared WebAssembly.Memory. Blocks are carved from a bump pointer and, once freed, kept on
 * per-class free lists and handed out again, so a training loop that allocates the same shapes every epoch stops
 * growing after the first one. Classes: multiples of 64 B up to 512 B, then 8 steps per power of two (≤ 12.5 %
 * waste). Every block is 64-byte aligned and at least 16 bytes longer than asked: SIMD kernels may read (never
 * write) up to 12 bytes past the end of an array, and the top of the arena keeps the same slack.
 */
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { WasmMemory } from './wasm-api.js';

const ALIGN = 64;
const SLACK = 16;
const PAGE = 65536;
/** Grow the memory by at least this much at a time, so few SharedArrayBuffer generations exist. */
const MIN_GROW = 16 << 20;
/** Largest single block (wasm32 memory tops out at 4 GiB). */
const MAX_BYTES = 2 ** 31;

export function sizeClass(bytes: number): number {
  const b = Math.max(bytes + SLACK, ALIGN);
  if (b <= 512) return Math.ceil(b / ALIGN) * ALIGN;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

export interface ArenaStats {
  /** Bytes handed out by the bump pointer so far (the arena's high-water mark). */
  reservedBytes: number;
  /** Bytes in blocks currently allocated. */
  liveBytes: number;
  /** Size of the WebAssembly memory. */
  memoryBytes: number;
}

export class Arena {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly live = new Map<number, number>();
  private liveBytes = 0;
  /**
   * Every SharedArrayBuffer object this arena handed out views on. The memory's `buffer` object is not stable:
   * V8 replaces it when this memory grows and also when any other shared memory in the process grows, so
   * ownership is tracked by the objects actually used.
   */
  private readonly buffers = new Set<ArrayBufferLike>();

  /**
   * @param zero clears `bytes` bytes at `off` (the wasm backend passes its bulk-memory kernel); without it a typed
   *   array fill does it, which V8 runs per element on shared memory (~50× slower than memset).
   */
  constructor(
    private readonly memory: WasmMemory,
    base: number,
    private readonly zero: (off: number, bytes: number) => void = (off, bytes) =>
      new Uint8Array(memory.buffer, off, bytes).fill(0),
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.buffers.add(memory.buffer);
  }

  /** The memory's current buffer object, recorded as ours: create views on this. */
  get buffer(): ArrayBufferLike {
    const b = this.memory.buffer;
    this.buffers.add(b);
    return b;
  }

  /** True when the view lives in this arena's memory (then its byteOffset is a kernel pointer). */
  owns(view: ArrayBufferView): boolean {
    return this.buffers.has(view.buffer);
  }

  /** Allocates a block of at least `bytes` bytes; returns its byte offset. The block is zeroed. */
  alloc(bytes: number): number {
    if (!(Number.isInteger(bytes) && bytes >= 0 && bytes <= MAX_BYTES)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `alloc: ${bytes} bytes is not a whole element count within 0..${MAX_BYTES} bytes`,
        {
          field: 'n',
          value: bytes,
          limit: MAX_BYTES,
        },
      );
    }
    const cls = sizeClass(bytes);
    const reused = this.freeLists.get(cls)?.pop();
    let off: number;
    if (reused !== undefined) {
      off = reused;
      this.zero(off, cls);
    } else {
      off = this.top;
      this.ensure(off + cls + SLACK);
      this.top = off + cls;
    }
    this.live.set(off, cls);
    this.liveBytes += cls;
    return off;
  }

  /** Returns a block to its free list. Unknown offsets (foreign arrays, double frees) are ignored: false. */
  release(off: number): boolean {
    const cls = this.live.get(off);
    if (cls === undefined) return false;
    this.live.delete(off);
    this.liveBytes -= cls;
    const list = this.freeLists.get(cls);
    if (list) list.push(off);
    else this.freeLists.set(cls, [off]);
    return true;
  }

  /** True when off is the start of a live block. */
  isLive(off: number): boolean {
    return this.live.has(off);
  }

  stats(): ArenaStats {
    return { reservedBytes: this.top, liveBytes: this.liveBytes, memoryBytes: this.memory.buffer.byteLength };
  }

  private ensure(end: number): void {
    const size = this.memory.buffer.byteLength;
    if (end <= size) return;
    const want = Math.max(end - size, MIN_GROW, size >> 2);
    this.memory.grow(Math.ceil(want / PAGE));
  }
}

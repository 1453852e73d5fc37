/**
 * The wasm backend: AssemblyScript SIMD kernels (build/kernels.wasm) run on the main thread plus N−1 workers that
 * share one WebAssembly.Memory. Buffers from alloc* are views into that memory (an Arena with size-class free
 * lists); other arrays are staged through scratch blocks (correct, slower). Work is split by output rows, and every
 * kernel reduces each output element in one fixed order, so results are bit-identical for any thread count; the
 * column sum uses fixed 128-row blocks combined in block order for the same reason.
 */
import { availableParallelism } from 'node:os';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { Arena, type ArenaStats } from './arena.js';
import { CTRL } from './control.js';
import { checkCsr } from './csr-check.js';
import { dropThreshold, seedWords } from './dropout-hash.js';
import { kernelsModule } from './kernels-module.js';
import { type KernelFn, ThreadPool } from './thread-pool.js';
import type { Backend, Csr, FArray } from './types.js';
import { type WasmMemory, wasmApi } from './wasm-api.js';

/** Kernels that run split across threads, by index (same order on every thread). */
const PARALLEL = [
  'gemmNN',
  'gemmTN',
  'spmm',
  'edgeAggregate',
  'edgeScore',
  'edgeSoftmax',
  'edgeSoftmaxBackward',
  'edgeAggregateGradAlpha',
  'relu',
  'reluBackward',
  'maskScale',
  'axpy',
  'addBias',
  'colSumPartial',
  'dropoutMask',
  'edgeScoreBackward',
] as const;
type Parallel = (typeof PARALLEL)[number];
const K = Object.fromEntries(PARALLEL.map((n, i) => [n, i])) as Record<Parallel, number>;

interface Exports {
  heapBase(): number;
  zeroBytes(ptr: number, n: number): void;
  packB(b: number, ldb: number, transB: number, k: number, n: number, bp: number): void;
  transposeB(b: number, ldb: number, k: number, n: number, bt: number): void;
  colSumCombine(part: number, nblocks: number, cols: number, out: number): void;
}

/** Below this many multiply-adds (or element visits) a call runs on the main thread only. */
const PARALLEL_MIN_WORK = 1 << 16;
const COLSUM_BLOCK = 128;
/** Chunks per thread in a parallel call: threads claim them dynamically, which evens out uneven rows and busy cores. */
const CHUNKS_PER_THREAD = 4;
/** Memory reserved when the backend starts (64 MiB, grown on demand up to 4 GiB). */
const INITIAL_PAGES = 1024;
const MAX_PAGES = 65536;

type View = FArray | Int32Array | Uint8Array;
const IN = 0;
const OUT = 1;
const INOUT = 2;

export interface WasmBackendOptions {
  /** Threads including the main thread (default: os.availableParallelism()). */
  threads?: number;
  /** Spin iterations before an idle thread sleeps. */
  spin?: number;
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly dtype = 'f32' as const;
  readonly threads: number;
  private readonly memory: WasmMemory;
  private readonly arena: Arena;
  private readonly pool: ThreadPool;
  private readonly ex: Exports;
  /** Scratch blocks of the current call, freed when it returns. */
  private readonly scratch: number[] = [];
  /** Staged outputs to copy back: [caller's array, scratch view]. */
  private readonly copyBack: Array<[View, View]> = [];
  /** Chunk boundaries of the current call. */
  private readonly bounds: number[] = new Array<number>(CTRL.MAX_CHUNKS + 1).fill(0);

  constructor(opts: WasmBackendOptions = {}) {
    const threads = opts.threads && opts.threads > 0 ? Math.floor(opts.threads) : availableParallelism();
    const module = kernelsModule();
    this.memory = new wasmApi.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    const inst = new wasmApi.Instance(module, { env: { memory: this.memory } });
    const exports = inst.exports as unknown as Record<string, KernelFn> & Exports;
    this.ex = exports;
    this.arena = new Arena(this.memory, Math.max(64, exports.heapBase()), exports.zeroBytes);
    this.pool = new ThreadPool({
      module,
      memory: this.memory,
      fns: PARALLEL.map((n) => exports[n]),
      names: [...PARALLEL],
      threads,
      spin: opts.spin,
    });
    this.threads = threads;
  }

  /** Arena usage (reserved high-water mark, live bytes, memory size). */
  memoryStats(): ArenaStats {
    return this.arena.stats();
  }

  alloc(n: number): Float32Array {
    const off = this.arena.alloc(Number.isInteger(n) ? n * 4 : Number.NaN);
    return new Float32Array(this.arena.buffer, off, n);
  }

  allocI32(n: number): Int32Array {
    const off = this.arena.alloc(Number.isInteger(n) ? n * 4 : Number.NaN);
    return new Int32Array(this.arena.buffer, off, n);
  }

  allocU8(n: number): Uint8Array {
    const off = this.arena.alloc(Number.isInteger(n) ? n : Number.NaN);
    return new Uint8Array(this.arena.buffer, off, n);
  }

  free(buf: View): void {
    if (this.arena.owns(buf)) this.arena.release(buf.byteOffset);
  }

  importCsr(a: Csr): Csr {
    checkCsr(a);
    const keep = <T extends View>(v: T, make: (n: number) => T): T => {
      if (this.arena.owns(v) && (v instanceof Float32Array || v instanceof Int32Array)) return v;
      const copy = make(v.length);
      copy.set(v);
      return copy;
    };
    return {
      rows: a.rows,
      cols: a.cols,
      indptr: keep(a.indptr, (n) => this.allocI32(n)),
      indices: keep(a.indices, (n) => this.allocI32(n)),
      values: a.values ? keep(a.values as Float32Array, (n) => this.alloc(n)) : null,
    };
  }

  dispose(): void {
    this.pool.dispose();
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: FArray,
    b: FArray,
    c: FArray,
    alpha = 1,
    beta = 0,
  ): void {
    need('gemm', 'c', c, m * n);
    need('gemm', 'a', a, m * k);
    need('gemm', 'b', b, k * n);
    if (m === 0 || n === 0) return;
    try {
      const pa = this.f32(a, IN);
      const pb = this.f32(b, IN);
      const pc = this.f32(c, beta === 0 ? OUT : INOUT);
      const npad = (n + 3) & ~3;
      const r = this.rowChunks(m, 4, m * n * k);
      if (!transA) {
        const bp = this.tmp(k * npad);
        this.ex.packB(pb, transB ? k : n, transB ? 1 : 0, k, n, bp);
        this.go(K.gemmNN, [pa, k, bp, k, n, pc, n, alpha, beta], r);
      } else {
        let pB = pb;
        if (transB) {
          pB = this.tmp(k * n);
          this.ex.transposeB(pb, k, k, n, pB);
        }
        const acc = this.tmp(m * npad);
        this.go(K.gemmTN, [pa, m, pB, n, k, n, acc, pc, n, alpha, beta], r);
      }
    } finally {
      this.finish();
    }
  }

  spmm(a: Csr, x: FArray, f: number, out: FArray, beta = 0): void {
    csrCheck('spmm', a.indptr, a.rows);
    need('spmm', 'x', x, a.cols * f);
    need('spmm', 'out', out, a.rows * f);
    if (a.rows === 0 || f === 0) return;
    try {
      const ip = this.i32(a.indptr);
      const ix = this.i32(a.indices);
      const pv = a.values ? this.f32(a.values, IN) : 0;
      const px = this.f32(x, IN);
      const po = this.f32(out, beta === 0 ? OUT : INOUT);
      const r = this.csrChunks(a.indptr, a.rows, f);
      this.go(K.spmm, [ip, ix, pv, px, f, po, beta], r);
    } finally {
      this.finish();
    }
  }

  edgeScore(
    indptr: Int32Array,
    indices: Int32Array,
    src: FArray,
    dst: FArray,
    heads: number,
    slope: number,
    out: FArray,
  ): void {
    const rows = indptr.length - 1;
    if (rows <= 0 || heads === 0) return;
    const nnz = indptr[rows];
    need('edgeScore', 'indices', indices, nnz);
    need('edgeScore', 'dst', dst, rows * heads);
    need('edgeScore', 'out', out, nnz * heads);
    try {
      const ip = this.i32(indptr);
      const ix = this.i32(indices);
      const ps = this.f32(src, IN);
      const pd = this.f32(dst, IN);
      const po = this.f32(out, OUT);
      this.go(K.edgeScore, [ip, ix, ps, pd, heads, slope, po], this.csrChunks(indptr, rows, heads));
    } finally {
      this.finish();
    }
  }

  edgeScoreBackward(
    indptr: Int32Array,
    indices: Int32Array,
    indptrT: Int32Array,
    indicesT: Int32Array,
    perm: Int32Array,
    src: FArray,
    dst: FArray,
    heads: number,
    slope: number,
    gradScores: FArray,
    gradSrc: FArray | null,
    gradDst: FArray | null,
    beta = 0,
  ): void {
    if (heads === 0) return;
    const rows = indptr.length - 1;
    const rowsT = indptrT.length - 1;
    need('edgeScoreBackward', 'gradScores', gradScores, Math.max(0, indptr[rows] ?? 0) * heads);
    need('edgeScoreBackward', 'indices', indices, indptr[rows] ?? 0);
    need('edgeScoreBackward', 'perm', perm, indptrT[rowsT] ?? 0);
    need('edgeScoreBackward', 'indicesT', indicesT, indptrT[rowsT] ?? 0);
    if (gradDst) need('edgeScoreBackward', 'gradDst', gradDst, rows * heads);
    if (gradSrc) need('edgeScoreBackward', 'gradSrc', gradSrc, rowsT * heads);
    const mode = beta === 0 ? OUT : INOUT;
    try {
      const ps = this.f32(src, IN);
      const pd = this.f32(dst, IN);
      const pg = this.f32(gradScores, IN);
      if (gradDst && indptr.length > 1) {
        const ip = this.i32(indptr);
        const ix = this.i32(indices);
        const po = this.f32(gradDst, mode);
        const r = this.csrChunks(indptr, indptr.length - 1, heads);
        this.go(K.edgeScoreBackward, [ip, ix, 0, pd, ps, heads, slope, pg, po, beta], r);
      }
      if (gradSrc && indptrT.length > 1) {
        const ip = this.i32(indptrT);
        const ix = this.i32(indicesT);
        const pp = this.i32(perm);
        const po = this.f32(gradSrc, mode);
        const r = this.csrChunks(indptrT, indptrT.length - 1, heads);
        this.go(K.edgeScoreBackward, [ip, ix, pp, ps, pd, heads, slope, pg, po, beta], r);
      }
    } finally {
      this.finish();
    }
  }

  edgeSoftmax(indptr: Int32Array, scores: FArray, heads: number, out: FArray): void {
    const rows = indptr.length - 1;
    if (rows <= 0 || heads === 0) return;
    const nnz = indptr[rows] * heads;
    need('edgeSoftmax', 'scores', scores, nnz);
    need('edgeSoftmax', 'out', out, nnz);
    try {
      const ip = this.i32(indptr);
      const ps = this.f32(scores, IN);
      const po = this.f32(out, OUT);
      this.go(K.edgeSoftmax, [ip, ps, heads, po], this.csrChunks(indptr, rows, 4 * heads));
    } finally {
      this.finish();
    }
  }

  edgeSoftmaxBackward(indptr: Int32Array, alpha: FArray, gradAlpha: FArray, heads: number, gradScores: FArray): void {
    const rows = indptr.length - 1;
    if (rows <= 0 || heads === 0) return;
    const nnz = indptr[rows] * heads;
    need('edgeSoftmaxBackward', 'alpha', alpha, nnz);
    need('edgeSoftmaxBackward', 'gradAlpha', gradAlpha, nnz);
    need('edgeSoftmaxBackward', 'gradScores', gradScores, nnz);
    try {
      const ip = this.i32(indptr);
      const pa = this.f32(alpha, IN);
      const pg = this.f32(gradAlpha, IN);
      const po = this.f32(gradScores, OUT);
      this.go(K.edgeSoftmaxBackward, [ip, pa, pg, heads, po], this.csrChunks(indptr, rows, 2 * heads));
    } finally {
      this.finish();
    }
  }

  edgeAggregate(
    indptr: Int32Array,
    indices: Int32Array,
    alpha: FArray,
    x: FArray,
    heads: number,
    f: number,
    out: FArray,
  ): void {
    const rows = indptr.length - 1;
    if (rows <= 0 || heads * f === 0) return;
    const nnz = indptr[rows];
    need('edgeAggregate', 'indices', indices, nnz);
    need('edgeAggregate', 'alpha', alpha, nnz * heads);
    need('edgeAggregate', 'out', out, rows * heads * f);
    try {
      const ip = this.i32(indptr);
      const ix = this.i32(indices);
      const pa = this.f32(alpha, IN);
      const px = this.f32(x, IN);
      const po = this.f32(out, OUT);
      this.go(K.edgeAggregate, [ip, ix, 0, pa, px, heads, f, po], this.csrChunks(indptr, rows, heads * f));
    } finally {
      this.finish();
    }
  }

  edgeAggregateGradAlpha(
    indptr: Int32Array,
    indices: Int32Array,
    gradOut: FArray,
    x: FArray,
    heads: number,
    f: number,
    gradAlpha: FArray,
  ): void {
    const rows = indptr.length - 1;
    if (rows <= 0 || heads === 0) return;
    const nnz = indptr[rows];
    need('edgeAggregateGradAlpha', 'indices', indices, nnz);
    need('edgeAggregateGradAlpha', 'gradOut', gradOut, rows * heads * f);
    need('edgeAggregateGradAlpha', 'gradAlpha', gradAlpha, nnz * heads);
    try {
      const ip = this.i32(indptr);
      const ix = this.i32(indices);
      const pg = this.f32(gradOut, IN);
      const px = this.f32(x, IN);
      const po = this.f32(gradAlpha, OUT);
      const r = this.csrChunks(indptr, rows, heads * f);
      this.go(K.edgeAggregateGradAlpha, [ip, ix, pg, px, heads, f, po], r);
    } finally {
      this.finish();
    }
  }

  edgeAggregateGradX(
    indptrT: Int32Array,
    indicesT: Int32Array,
    perm: Int32Array,
    alpha: FArray,
    gradOut: FArray,
    heads: number,
    f: number,
    gradX: FArray,
  ): void {
    const rows = indptrT.length - 1;
    if (rows <= 0 || heads * f === 0) return;
    const nnz = indptrT[rows];
    need('edgeAggregateGradX', 'indicesT', indicesT, nnz);
    need('edgeAggregateGradX', 'perm', perm, nnz);
    need('edgeAggregateGradX', 'alpha', alpha, nnz * heads);
    need('edgeAggregateGradX', 'gradX', gradX, rows * heads * f);
    try {
      const ip = this.i32(indptrT);
      const ix = this.i32(indicesT);
      const pp = this.i32(perm);
      const pa = this.f32(alpha, IN);
      const pg = this.f32(gradOut, IN);
      const po = this.f32(gradX, OUT);
      const r = this.csrChunks(indptrT, rows, heads * f);
      this.go(K.edgeAggregate, [ip, ix, pp, pa, pg, heads, f, po], r);
    } finally {
      this.finish();
    }
  }

  relu(x: FArray, out: FArray): void {
    this.unary(K.relu, x, out, []);
  }

  reluBackward(y: FArray, grad: FArray, out: FArray): void {
    const n = y.length;
    need('reluBackward', 'out', out, n);
    need('reluBackward', 'grad', grad, n);
    if (n === 0) return;
    try {
      const py = this.f32(y, IN);
      const pg = this.f32(grad, IN);
      const po = this.f32(out, OUT);
      this.go(K.reluBackward, [py, pg, po], this.rowChunks(n, 16, n));
    } finally {
      this.finish();
    }
  }

  maskScale(x: FArray, mask: Uint8Array, scale: number, out: FArray): void {
    const n = x.length;
    need('maskScale', 'out', out, n);
    need('maskScale', 'mask', mask, n);
    if (n === 0) return;
    try {
      const px = this.f32(x, IN);
      const pm = this.u8(mask);
      const po = this.f32(out, OUT);
      this.go(K.maskScale, [px, pm, scale, po], this.rowChunks(n, 16, n));
    } finally {
      this.finish();
    }
  }

  dropoutMask(mask: Uint8Array, p: number, seed: number): void {
    const n = mask.length;
    if (n === 0) return;
    if (p >= 1) {
      mask.fill(0);
      return;
    }
    const [lo, hi] = seedWords(seed);
    try {
      const pm = this.u8(mask, true);
      this.go(K.dropoutMask, [pm, dropThreshold(p), lo, hi], this.rowChunks(n, 16, 4 * n));
    } finally {
      this.finish();
    }
  }

  axpy(alpha: number, x: FArray, y: FArray): void {
    const n = x.length;
    need('axpy', 'y', y, n);
    if (n === 0) return;
    try {
      const px = this.f32(x, IN);
      const py = this.f32(y, INOUT);
      this.go(K.axpy, [alpha, px, py], this.rowChunks(n, 16, n));
    } finally {
      this.finish();
    }
  }

  addBias(x: FArray, bias: FArray, rows: number, cols: number, out: FArray): void {
    need('addBias', 'x', x, rows * cols);
    need('addBias', 'out', out, rows * cols);
    need('addBias', 'bias', bias, cols);
    if (rows * cols === 0) return;
    try {
      const px = this.f32(x, IN);
      const pb = this.f32(bias, IN);
      const po = this.f32(out, OUT);
      this.go(K.addBias, [px, pb, cols, po], this.rowChunks(rows, 1, rows * cols));
    } finally {
      this.finish();
    }
  }

  colSum(x: FArray, rows: number, cols: number, out: FArray): void {
    need('colSum', 'x', x, rows * cols);
    need('colSum', 'out', out, cols);
    if (cols === 0) return;
    try {
      const px = this.f32(x, IN);
      const po = this.f32(out, OUT);
      const nb = Math.ceil(rows / COLSUM_BLOCK);
      const part = this.tmp(nb * ((cols + 3) & ~3));
      this.go(K.colSumPartial, [px, rows, cols, part], this.rowChunks(nb, 1, rows * cols));
      this.ex.colSumCombine(part, nb, cols, po);
    } finally {
      this.finish();
    }
  }

  private unary(fn: number, x: FArray, out: FArray, args: number[]): void {
    const n = x.length;
    need('relu', 'out', out, n);
    if (n === 0) return;
    try {
      const px = this.f32(x, IN);
      const po = this.f32(out, OUT);
      this.go(fn, [px, ...args, po], this.rowChunks(n, 16, n));
    } finally {
      this.finish();
    }
  }

  /** Kernel pointer for a float array, staged through scratch unless it is a Float32Array in wasm memory. */
  private f32(a: FArray, mode: number): number {
    if (a instanceof Float32Array && this.arena.owns(a)) return a.byteOffset;
    const off = this.arena.alloc(a.length * 4);
    this.scratch.push(off);
    const view = new Float32Array(this.arena.buffer, off, a.length);
    if (mode !== OUT) view.set(a);
    if (mode !== IN) this.copyBack.push([a, view]);
    return off;
  }

  private i32(a: Int32Array): number {
    if (this.arena.owns(a)) return a.byteOffset;
    const off = this.arena.alloc(a.length * 4);
    this.scratch.push(off);
    new Int32Array(this.arena.buffer, off, a.length).set(a);
    return off;
  }

  private u8(a: Uint8Array, out = false): number {
    if (this.arena.owns(a)) return a.byteOffset;
    const off = this.arena.alloc(a.length);
    this.scratch.push(off);
    const view = new Uint8Array(this.arena.buffer, off, a.length);
    if (out) this.copyBack.push([a, view]);
    else view.set(a);
    return off;
  }

  /** A scratch float block for the current call. */
  private tmp(n: number): number {
    const off = this.arena.alloc(n * 4);
    this.scratch.push(off);
    return off;
  }

  private finish(): void {
    for (const [dst, src] of this.copyBack) dst.set(src as never);
    this.copyBack.length = 0;
    for (const off of this.scratch) this.arena.release(off);
    this.scratch.length = 0;
  }

  private go(fn: number, args: number[], nchunks: number): void {
    this.pool.run(fn, args, this.bounds, nchunks);
  }

  /**
   * Splits [0, n) into chunks (CHUNKS_PER_THREAD per thread, boundaries on multiples of align) in this.bounds;
   * returns the chunk count. Tiny work is one chunk, run on the calling thread.
   */
  private rowChunks(n: number, align: number, work: number): number {
    const b = this.bounds;
    const t = work < PARALLEL_MIN_WORK || this.threads === 1 ? 1 : this.threads * CHUNKS_PER_THREAD;
    const size = Math.max(align, Math.ceil(n / t / align) * align);
    const count = Math.max(1, Math.ceil(n / size));
    for (let i = 0; i <= count; i++) b[i] = Math.min(n, i * size);
    return count;
  }

  /** Splits CSR rows into chunks of about equal cost (entries·perEntry + rows); returns the chunk count. */
  private csrChunks(indptr: Int32Array, rows: number, perEntry: number): number {
    const b = this.bounds;
    const base = indptr[0];
    const cost = (row: number): number => (indptr[row] - base) * perEntry + row;
    const total = cost(rows);
    const t = total < PARALLEL_MIN_WORK || this.threads === 1 ? 1 : this.threads * CHUNKS_PER_THREAD;
    b[0] = 0;
    for (let i = 1; i < t; i++) {
      const target = (total * i) / t;
      let lo = b[i - 1];
      let hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cost(mid) < target) lo = mid + 1;
        else hi = mid;
      }
      b[i] = lo;
    }
    b[t] = rows;
    return t;
  }
}

function need(op: string, field: string, a: ArrayLike<number>, n: number): void {
  if (a.length < n) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${op}: ${field} has ${a.length} elements, needs ${n}`, {
      field,
      value: a.length,
      limit: n,
    });
  }
}

function csrCheck(op: string, indptr: Int32Array, rows: number): void {
  if (indptr.length !== rows + 1) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${op}: indptr has ${indptr.length} entries, needs rows + 1 = ${rows + 1}`,
      { field: 'indptr', value: indptr.length, limit: rows + 1 },
    );
  }
}

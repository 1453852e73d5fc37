/**
 * The small interface every kernel backend implements. Only src/engine imports it; models and the trainer work
 * through tensors and ops. Implementations:
 *  - `reference`: plain TypeScript loops, the ground truth and fallback. It can run in float32 or float64
 *    (float64 is what the finite-difference gradient checks use);
 *  - `wasm`: AssemblyScript + v128 SIMD kernels on worker threads sharing one WebAssembly.Memory (float32 only).
 *
 * Conventions: dense matrices are row-major. Calls are synchronous. Lengths of elementwise ops come from x.length. Buffers from `alloc`/`allocI32` can be passed to
 * kernels without a copy; other arrays are accepted but may be copied. Unless stated, `out` must not alias inputs.
 * Edge-wise arrays are edge-major: E × H (edge e, head h at e·H + h).
 *
 * Determinism: the wasm kernels split work by output rows only and reduce every output element in a fixed order, so
 * results are bit-identical across repeated calls and across thread counts (see README.md in this folder).
 */

/** Float storage: float32 everywhere, float64 only on the reference backend (gradient checks). */
export type FArray = Float32Array | Float64Array;

/** A sparse matrix in CSR form. values === null means all ones. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: FArray | null;
}

export type BackendName = 'wasm' | 'reference';
export type DType = 'f32' | 'f64';

export interface Backend {
  readonly name: BackendName;
  readonly dtype: DType;
  /** Worker threads used by parallel kernels (1 = main thread only). */
  readonly threads: number;

  /** A zeroed float buffer of this backend's dtype, usable by kernels without a copy. */
  alloc(n: number): FArray;
  allocI32(n: number): Int32Array;
  /** A zeroed byte buffer (e.g. a dropout mask for maskScale), usable by kernels without a copy. */
  allocU8(n: number): Uint8Array;
  /**
   * Return a buffer from alloc/allocI32/allocU8 for reuse (pooled by size class). Using it afterwards is
   * undefined. Freeing anything else (or freeing twice) is ignored.
   */
  free(buf: FArray | Int32Array | Uint8Array): void;
  /**
   * A CSR whose arrays are backend buffers (copied once if they are not), so sparse kernels on a fixed graph do
   * not copy indptr/indices/values on every call. The reference backend returns `a` itself. The copy is owned by the
   * backend and lives until dispose(). Checks the structure first (indptr monotone from 0, indices in 0..cols−1):
   * INVALID_ARGUMENT naming the field and index otherwise.
   */
  importCsr(a: Csr): Csr;
  /** Release workers and memory. */
  dispose(): void;
  /**
   * Kernel-memory usage, where the backend manages its own memory (wasm): the arena's high-water mark, the bytes
   * in live buffers and the size of the WebAssembly memory. Absent on the reference backend (plain JS arrays).
   */
  memoryStats?(): { reservedBytes: number; liveBytes: number; memoryBytes: number };

  /**
   * GEMM: C (m×n) = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
   * With transA, A is stored k×m; with transB, B is stored n×k. beta = 0 ignores C's old contents (even NaN).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: FArray,
    b: FArray,
    c: FArray,
    alpha?: number,
    beta?: number,
  ): void;

  /** SpMM: out (a.rows × f) = A · X + beta · out, with X of shape a.cols × f. Backward uses the transposed CSR. */
  spmm(a: Csr, x: FArray, f: number, out: FArray, beta?: number): void;

  /**
   * Per-edge attention logits for CSR row i (the target) and entry e with source j = indices[e]:
   * out[e·H+h] = leakyRelu(src[j·H+h] + dst[i·H+h], slope).
   */
  edgeScore(
    indptr: Int32Array,
    indices: Int32Array,
    src: FArray,
    dst: FArray,
    heads: number,
    slope: number,
    out: FArray,
  ): void;

  /**
   * Backward of edgeScore. With d[e·H+h] = gradScores[e·H+h] · (src[j·H+h] + dst[i·H+h] > 0 ? 1 : slope):
   * gradDst[i·H+h] = Σ_{e in row i} d[e·H+h] + beta·gradDst, and gradSrc[j·H+h] = Σ_{t in rowT j} d[perm[t]·H+h] +
   * beta·gradSrc, a gather over the transposed CSR (indptrT, indicesT, perm as in edgeAggregateGradX) rather than a
   * scatter. beta = 0 overwrites (default); pass 1 to accumulate. A null output is skipped.
   */
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
    beta?: number,
  ): void;

  /** Softmax over the entries of each CSR row, per head: out[e·H+h] = exp(s − max_row) / Σ_row exp(s − max_row). */
  edgeSoftmax(indptr: Int32Array, scores: FArray, heads: number, out: FArray): void;

  /** Softmax backward per row and head: gradScores = alpha ⊙ (gradAlpha − Σ_row alpha ⊙ gradAlpha). */
  edgeSoftmaxBackward(indptr: Int32Array, alpha: FArray, gradAlpha: FArray, heads: number, gradScores: FArray): void;

  /**
   * Attention-weighted aggregation: out[i, h, :] = Σ_{e in row i} alpha[e·H+h] · x[indices[e], h, :],
   * with x of shape cols × (H·F) and out rows × (H·F). Overwrites out.
   */
  edgeAggregate(
    indptr: Int32Array,
    indices: Int32Array,
    alpha: FArray,
    x: FArray,
    heads: number,
    f: number,
    out: FArray,
  ): void;

  /**
   * Gradient of edgeAggregate w.r.t. alpha: gradAlpha[e·H+h] = ⟨gradOut[i, h, :], x[indices[e], h, :]⟩.
   */
  edgeAggregateGradAlpha(
    indptr: Int32Array,
    indices: Int32Array,
    gradOut: FArray,
    x: FArray,
    heads: number,
    f: number,
    gradAlpha: FArray,
  ): void;

  /**
   * Gradient of edgeAggregate w.r.t. x, computed on the transposed CSR so it is a gather, not a scatter:
   * gradX[j, h, :] = Σ_{t in rowT j} alpha[perm[t]·H+h] · gradOut[indicesT[t], h, :], where perm maps each transposed
   * entry to its edge id in the original CSR. Overwrites gradX.
   */
  edgeAggregateGradX(
    indptrT: Int32Array,
    indicesT: Int32Array,
    perm: Int32Array,
    alpha: FArray,
    gradOut: FArray,
    heads: number,
    f: number,
    gradX: FArray,
  ): void;

  /** out = max(x, 0). out may alias x. */
  relu(x: FArray, out: FArray): void;
  /** out = grad where y > 0 else 0 (y = relu output). out may alias grad. */
  reluBackward(y: FArray, grad: FArray, out: FArray): void;
  /** out = x ⊙ mask · scale, mask of 0/1 bytes (dropout). out may alias x. */
  maskScale(x: FArray, mask: Uint8Array, scale: number, out: FArray): void;
  /**
   * Dropout mask from a counter-based hash: mask[i] = 1 (keep) with probability 1 − p, else 0; p ≥ 1 drops all.
   * The bits depend only on (seed, p, i) (see dropout-hash.ts), so every backend and thread count gives the same
   * mask; vary the seed per call (e.g. base seed and step). seed: a non-negative integer below 2^53.
   */
  dropoutMask(mask: Uint8Array, p: number, seed: number): void;
  /** y += alpha · x. */
  axpy(alpha: number, x: FArray, y: FArray): void;
  /** out = x + bias broadcast over rows (x is rows × cols). out may alias x. */
  addBias(x: FArray, bias: FArray, rows: number, cols: number, out: FArray): void;
  /** out (cols) = column sums of x (rows × cols): the bias gradient. Overwrites out. */
  colSum(x: FArray, rows: number, cols: number, out: FArray): void;
}

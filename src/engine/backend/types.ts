/**
 * The small interface every kernel backend implements. Only src/engine imports it; models and the trainer work
 * through tensors and ops. Two implementations exist: `reference` (plain TypeScript loops, the ground truth and
 * fallback) and `wasm` (AssemblyScript + v128 SIMD on worker threads sharing one WebAssembly.Memory).
 *
 * Conventions: all matrices are dense, row-major Float32Array. Calls are synchronous. Buffers obtained from
 * `allocF32`/`allocI32` can be passed to kernels without a copy; other arrays are accepted but may be copied.
 */

/** A sparse matrix in CSR form. values === null means all ones. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array | null;
}

export type BackendName = 'wasm' | 'reference';

export interface Backend {
  readonly name: BackendName;
  /** Worker threads used by parallel kernels (1 = main thread only). */
  readonly threads: number;

  /** A zeroed float buffer the kernels can use without copying. */
  allocF32(n: number): Float32Array;
  allocI32(n: number): Int32Array;
  /** Return a buffer for reuse. Using it afterwards is undefined. */
  free(buf: Float32Array | Int32Array): void;

  /**
   * GEMM: C (m×n) = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
   * With transA, A is stored k×m; with transB, B is stored n×k.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    alpha?: number,
    beta?: number,
  ): void;

  /** SpMM: out (a.rows × f) = A · X + beta · out, with X of shape a.cols × f. */
  spmm(a: Csr, x: Float32Array, f: number, out: Float32Array, beta?: number): void;

  /**
   * Edge softmax over the entries of each CSR row, per head: for row i and head h,
   * out[e·H+h] = exp(s[e·H+h] − max) / Σ_row exp(...). Scores are stored edge-major (E × H).
   */
  edgeSoftmax(indptr: Int32Array, scores: Float32Array, heads: number, out: Float32Array): void;

  /**
   * Attention-weighted aggregation: out[i, h, :] = Σ_{e in row i} alpha[e, h] · x[indices[e], h, :],
   * with x of shape cols × (H·F) and out of shape rows × (H·F).
   */
  edgeAggregate(
    indptr: Int32Array,
    indices: Int32Array,
    alpha: Float32Array,
    x: Float32Array,
    heads: number,
    f: number,
    out: Float32Array,
  ): void;

  /** Elementwise relu: out = max(x, 0). out may alias x. */
  relu(x: Float32Array, out: Float32Array): void;
  /** out = x + bias broadcast over rows (x is rows × cols). out may alias x. */
  addBias(x: Float32Array, bias: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out (cols) = column sums of x (rows × cols): the bias gradient. */
  colSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
}

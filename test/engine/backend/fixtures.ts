// Random inputs for the backend tests: seeded so failures reproduce, with odd sizes, empty rows and duplicates.
import type { Csr } from '../../../src/engine/backend/types.js';
import { mulberry32 } from '../../../src/util/random.js';

export const rng = mulberry32;

/** Uniform values in [-1, 1). */
export function randArray(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * r() - 1;
  return a;
}

/**
 * A random CSR (rows × cols): each row gets 0..2·avgDeg entries (so some rows are empty), sources drawn with
 * replacement (duplicates allowed, as in multigraphs), optional values in [-1, 1).
 */
export function randCsr(rows: number, cols: number, avgDeg: number, withValues: boolean, r: () => number): Csr {
  const indptr = new Int32Array(rows + 1);
  const idx: number[] = [];
  for (let i = 0; i < rows; i++) {
    const deg = cols === 0 ? 0 : Math.floor(r() * (2 * avgDeg + 1));
    for (let d = 0; d < deg; d++) idx.push(Math.floor(r() * cols));
    indptr[i + 1] = idx.length;
  }
  const indices = Int32Array.from(idx);
  return { rows, cols, indptr, indices, values: withValues ? randArray(indices.length, r) : null };
}

/** The transposed CSR with perm[t] = the original entry id of transposed entry t (stable within each row). */
export function transposeCsr(a: Csr): { csr: Csr; perm: Int32Array } {
  const nnz = a.indices.length;
  const indptr = new Int32Array(a.cols + 1);
  for (let t = 0; t < nnz; t++) indptr[a.indices[t] + 1]++;
  for (let j = 0; j < a.cols; j++) indptr[j + 1] += indptr[j];
  const next = indptr.slice(0, a.cols);
  const indices = new Int32Array(nnz);
  const perm = new Int32Array(nnz);
  for (let i = 0; i < a.rows; i++) {
    for (let t = a.indptr[i]; t < a.indptr[i + 1]; t++) {
      const q = next[a.indices[t]]++;
      indices[q] = i;
      perm[q] = t;
    }
  }
  return { csr: { rows: a.cols, cols: a.rows, indptr, indices, values: null }, perm };
}

/**
 * Asserts |actual − expected| ≤ rel·bound + abs element-wise, where bound is Σ|terms| of each output (computed by
 * running the reference on absolute values), the scale float32 rounding error grows with.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  bound?: ArrayLike<number>,
  rel = 2e-6,
  abs = 1e-6,
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const tol = rel * (bound ? Math.abs(bound[i]) : Math.abs(e)) + abs;
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

export function abs(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}

/** True when both arrays hold the same bits (NaN payloads included). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

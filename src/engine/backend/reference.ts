/**
 * The reference backend: plain loops that mirror each kernel's documented formula, in float32 or float64 storage.
 * It is the ground truth the wasm kernels are tested against, and the float64 mode serves the gradient checks.
 * Sums run in JS doubles and round once when stored.
 */
import { checkCsr } from './csr-check.js';
import { dropoutMaskTs } from './dropout-hash.js';
import type { Backend, Csr, DType, FArray } from './types.js';

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  readonly threads = 1;
  readonly dtype: DType;
  private readonly pool = new Map<number, FArray[]>();

  constructor(dtype: DType = 'f32') {
    this.dtype = dtype;
  }

  alloc(n: number): FArray {
    const reused = this.pool.get(n)?.pop();
    if (reused) {
      reused.fill(0);
      return reused;
    }
    return this.dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
  }

  allocI32(n: number): Int32Array {
    return new Int32Array(n);
  }

  allocU8(n: number): Uint8Array {
    return new Uint8Array(n);
  }

  free(buf: FArray | Int32Array | Uint8Array): void {
    // Only whole float buffers of this dtype are pooled; anything else is left to the GC.
    const own = this.dtype === 'f64' ? buf instanceof Float64Array : buf instanceof Float32Array;
    if (!own || buf.byteOffset !== 0 || buf.length !== buf.buffer.byteLength / buf.BYTES_PER_ELEMENT) return;
    const list = this.pool.get(buf.length);
    if (list) {
      if (!list.includes(buf as FArray)) list.push(buf as FArray);
    } else this.pool.set(buf.length, [buf as FArray]);
  }

  importCsr(a: Csr): Csr {
    checkCsr(a);
    return a;
  }

  dispose(): void {
    this.pool.clear();
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
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transA ? a[p * m + i] : a[i * k + p];
          const bv = transB ? b[j * k + p] : b[p * n + j];
          s += av * bv;
        }
        c[i * n + j] = beta === 0 ? alpha * s : alpha * s + beta * c[i * n + j];
      }
    }
  }

  spmm(a: Csr, x: FArray, f: number, out: FArray, beta = 0): void {
    const { indptr, indices, values } = a;
    const acc = new Float64Array(f);
    for (let i = 0; i < a.rows; i++) {
      acc.fill(0);
      for (let t = indptr[i]; t < indptr[i + 1]; t++) {
        const w = values ? values[t] : 1;
        const row = indices[t] * f;
        for (let c = 0; c < f; c++) acc[c] += w * x[row + c];
      }
      for (let c = 0; c < f; c++) out[i * f + c] = beta === 0 ? acc[c] : acc[c] + beta * out[i * f + c];
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
    for (let i = 0; i < indptr.length - 1; i++) {
      for (let t = indptr[i]; t < indptr[i + 1]; t++) {
        const j = indices[t];
        for (let h = 0; h < heads; h++) {
          const v = src[j * heads + h] + dst[i * heads + h];
          out[t * heads + h] = v > 0 ? v : v * slope;
        }
      }
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
    const d = (e: number, i: number, j: number, h: number): number => {
      const g = gradScores[e * heads + h];
      return src[j * heads + h] + dst[i * heads + h] > 0 ? g : g * slope;
    };
    if (gradDst) {
      for (let i = 0; i < indptr.length - 1; i++) {
        for (let h = 0; h < heads; h++) {
          let s = 0;
          for (let e = indptr[i]; e < indptr[i + 1]; e++) s += d(e, i, indices[e], h);
          gradDst[i * heads + h] = beta === 0 ? s : s + beta * gradDst[i * heads + h];
        }
      }
    }
    if (gradSrc) {
      for (let j = 0; j < indptrT.length - 1; j++) {
        for (let h = 0; h < heads; h++) {
          let s = 0;
          for (let t = indptrT[j]; t < indptrT[j + 1]; t++) s += d(perm[t], indicesT[t], j, h);
          gradSrc[j * heads + h] = beta === 0 ? s : s + beta * gradSrc[j * heads + h];
        }
      }
    }
  }

  edgeSoftmax(indptr: Int32Array, scores: FArray, heads: number, out: FArray): void {
    for (let i = 0; i < indptr.length - 1; i++) {
      const s = indptr[i];
      const e = indptr[i + 1];
      for (let h = 0; h < heads; h++) {
        let m = Number.NEGATIVE_INFINITY;
        for (let t = s; t < e; t++) m = Math.max(m, scores[t * heads + h]);
        let sum = 0;
        for (let t = s; t < e; t++) sum += Math.exp(scores[t * heads + h] - m);
        for (let t = s; t < e; t++) out[t * heads + h] = Math.exp(scores[t * heads + h] - m) / sum;
      }
    }
  }

  edgeSoftmaxBackward(indptr: Int32Array, alpha: FArray, gradAlpha: FArray, heads: number, gradScores: FArray): void {
    for (let i = 0; i < indptr.length - 1; i++) {
      for (let h = 0; h < heads; h++) {
        let dot = 0;
        for (let t = indptr[i]; t < indptr[i + 1]; t++) dot += alpha[t * heads + h] * gradAlpha[t * heads + h];
        for (let t = indptr[i]; t < indptr[i + 1]; t++) {
          gradScores[t * heads + h] = alpha[t * heads + h] * (gradAlpha[t * heads + h] - dot);
        }
      }
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
    const hf = heads * f;
    const acc = new Float64Array(hf);
    for (let i = 0; i < indptr.length - 1; i++) {
      acc.fill(0);
      for (let t = indptr[i]; t < indptr[i + 1]; t++) {
        const row = indices[t] * hf;
        for (let h = 0; h < heads; h++) {
          const w = alpha[t * heads + h];
          for (let c = 0; c < f; c++) acc[h * f + c] += w * x[row + h * f + c];
        }
      }
      for (let c = 0; c < hf; c++) out[i * hf + c] = acc[c];
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
    const hf = heads * f;
    for (let i = 0; i < indptr.length - 1; i++) {
      for (let t = indptr[i]; t < indptr[i + 1]; t++) {
        const j = indices[t];
        for (let h = 0; h < heads; h++) {
          let s = 0;
          for (let c = 0; c < f; c++) s += gradOut[i * hf + h * f + c] * x[j * hf + h * f + c];
          gradAlpha[t * heads + h] = s;
        }
      }
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
    const hf = heads * f;
    const acc = new Float64Array(hf);
    for (let j = 0; j < indptrT.length - 1; j++) {
      acc.fill(0);
      for (let t = indptrT[j]; t < indptrT[j + 1]; t++) {
        const row = indicesT[t] * hf;
        for (let h = 0; h < heads; h++) {
          const w = alpha[perm[t] * heads + h];
          for (let c = 0; c < f; c++) acc[h * f + c] += w * gradOut[row + h * f + c];
        }
      }
      for (let c = 0; c < hf; c++) gradX[j * hf + c] = acc[c];
    }
  }

  relu(x: FArray, out: FArray): void {
    // biome-ignore lint/complexity/useMathMinMax: NaN must map to 0 as in the kernel, Math.max would keep it
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  }

  reluBackward(y: FArray, grad: FArray, out: FArray): void {
    for (let i = 0; i < y.length; i++) out[i] = y[i] > 0 ? grad[i] : 0;
  }

  maskScale(x: FArray, mask: Uint8Array, scale: number, out: FArray): void {
    for (let i = 0; i < x.length; i++) out[i] = x[i] * mask[i] * scale;
  }

  dropoutMask(mask: Uint8Array, p: number, seed: number): void {
    dropoutMaskTs(mask, p, seed);
  }

  axpy(alpha: number, x: FArray, y: FArray): void {
    for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
  }

  addBias(x: FArray, bias: FArray, rows: number, cols: number, out: FArray): void {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = x[i * cols + j] + bias[j];
    }
  }

  colSum(x: FArray, rows: number, cols: number, out: FArray): void {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + j];
      out[j] = s;
    }
  }
}

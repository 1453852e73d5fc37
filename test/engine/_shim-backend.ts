/**
 * Temporary plain-loop float64 backend for the engine tests, used only until src/engine/backend/reference.ts lands.
 * Deliberately naive (no blocking, no pooling) so it is obviously correct.
 */
import type { Backend, Csr, FArray } from '../../src/engine/backend/types.js';

export function createShimBackend(dtype: 'f64' | 'f32' = 'f64'): Backend {
  const alloc = (n: number): FArray => (dtype === 'f64' ? new Float64Array(n) : new Float32Array(n));
  return {
    name: 'reference',
    dtype,
    threads: 1,
    alloc,
    allocI32: (n) => new Int32Array(n),
    allocU8: (n) => new Uint8Array(n),
    importCsr: (a) => a,
    free: () => {},
    dispose: () => {},
    gemm(transA, transB, m, n, k, a, b, c, alpha = 1, beta = 0) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++)
            s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
          c[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * n + j]);
        }
      }
    },
    spmm(a: Csr, x, f, out, beta = 0) {
      for (let i = 0; i < a.rows; i++) {
        for (let c = 0; c < f; c++) out[i * f + c] = beta === 0 ? 0 : beta * out[i * f + c];
        for (let e = a.indptr[i]; e < a.indptr[i + 1]; e++) {
          const v = a.values ? a.values[e] : 1;
          const j = a.indices[e];
          for (let c = 0; c < f; c++) out[i * f + c] += v * x[j * f + c];
        }
      }
    },
    edgeScore(indptr, indices, src, dst, heads, slope, out) {
      for (let i = 0; i + 1 < indptr.length; i++) {
        for (let e = indptr[i]; e < indptr[i + 1]; e++) {
          for (let h = 0; h < heads; h++) {
            const s = src[indices[e] * heads + h] + dst[i * heads + h];
            out[e * heads + h] = s > 0 ? s : slope * s;
          }
        }
      }
    },
    edgeSoftmax(indptr, scores, heads, out) {
      for (let i = 0; i + 1 < indptr.length; i++) {
        for (let h = 0; h < heads; h++) {
          let mx = Number.NEGATIVE_INFINITY;
          for (let e = indptr[i]; e < indptr[i + 1]; e++) mx = Math.max(mx, scores[e * heads + h]);
          let z = 0;
          for (let e = indptr[i]; e < indptr[i + 1]; e++) z += Math.exp(scores[e * heads + h] - mx);
          for (let e = indptr[i]; e < indptr[i + 1]; e++) out[e * heads + h] = Math.exp(scores[e * heads + h] - mx) / z;
        }
      }
    },
    edgeSoftmaxBackward(indptr, alpha, gradAlpha, heads, gradScores) {
      for (let i = 0; i + 1 < indptr.length; i++) {
        for (let h = 0; h < heads; h++) {
          let d = 0;
          for (let e = indptr[i]; e < indptr[i + 1]; e++) d += alpha[e * heads + h] * gradAlpha[e * heads + h];
          for (let e = indptr[i]; e < indptr[i + 1]; e++) {
            gradScores[e * heads + h] = alpha[e * heads + h] * (gradAlpha[e * heads + h] - d);
          }
        }
      }
    },
    edgeAggregate(indptr, indices, alpha, x, heads, f, out) {
      const w = heads * f;
      for (let i = 0; i + 1 < indptr.length; i++) {
        for (let c = 0; c < w; c++) out[i * w + c] = 0;
        for (let e = indptr[i]; e < indptr[i + 1]; e++) {
          const j = indices[e];
          for (let h = 0; h < heads; h++) {
            for (let c = 0; c < f; c++) out[i * w + h * f + c] += alpha[e * heads + h] * x[j * w + h * f + c];
          }
        }
      }
    },
    edgeAggregateGradAlpha(indptr, indices, gradOut, x, heads, f, gradAlpha) {
      const w = heads * f;
      for (let i = 0; i + 1 < indptr.length; i++) {
        for (let e = indptr[i]; e < indptr[i + 1]; e++) {
          const j = indices[e];
          for (let h = 0; h < heads; h++) {
            let s = 0;
            for (let c = 0; c < f; c++) s += gradOut[i * w + h * f + c] * x[j * w + h * f + c];
            gradAlpha[e * heads + h] = s;
          }
        }
      }
    },
    edgeAggregateGradX(indptrT, indicesT, perm, alpha, gradOut, heads, f, gradX) {
      const w = heads * f;
      for (let j = 0; j + 1 < indptrT.length; j++) {
        for (let c = 0; c < w; c++) gradX[j * w + c] = 0;
        for (let t = indptrT[j]; t < indptrT[j + 1]; t++) {
          const i = indicesT[t];
          const e = perm[t];
          for (let h = 0; h < heads; h++) {
            for (let c = 0; c < f; c++) gradX[j * w + h * f + c] += alpha[e * heads + h] * gradOut[i * w + h * f + c];
          }
        }
      }
    },
    relu(x, out) {
      for (let i = 0; i < x.length; i++) out[i] = Math.max(x[i], 0);
    },
    reluBackward(y, grad, out) {
      for (let i = 0; i < y.length; i++) out[i] = y[i] > 0 ? grad[i] : 0;
    },
    maskScale(x, mask, scale, out) {
      for (let i = 0; i < x.length; i++) out[i] = mask[i] ? x[i] * scale : 0;
    },
    axpy(alpha, x, y) {
      for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
    },
    addBias(x, bias, rows, cols, out) {
      for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) out[i * cols + c] = x[i * cols + c] + bias[c];
    },
    colSum(x, rows, cols, out) {
      for (let c = 0; c < cols; c++) out[c] = 0;
      for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) out[c] += x[i * cols + c];
    },
  };
}

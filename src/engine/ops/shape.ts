/** Column concatenation (multi-head outputs), mean over heads, and row gather (index_select). Plain loops. */
import { argError, checkIndex, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';

/** [x₀ | x₁ | …]: every xᵢ is rows × cᵢ; the result is rows × Σcᵢ. Backward slices the gradient back. */
export function concatCols(xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) argError('concatCols', 'needs at least one tensor');
  const rows = dims2('concatCols[0]', xs[0].shape)[0];
  let width = 0;
  const offs: number[] = [];
  for (let t = 0; t < xs.length; t++) {
    const [r, c] = dims2(`concatCols[${t}]`, xs[t].shape);
    if (r !== rows)
      argError(`concatCols[${t}]`, `has ${r} rows, the first tensor has ${rows}`, { rows: r, expected: rows });
    offs.push(width);
    width += c;
  }
  const tape = xs[0].tape;
  const out = tape.resultOf([rows, width], xs);
  const o = out.data;
  for (let t = 0; t < xs.length; t++) {
    const c = xs[t].cols;
    const d = xs[t].data;
    const off = offs[t];
    for (let i = 0; i < rows; i++) o.set(d.subarray(i * c, i * c + c), i * width + off);
  }
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      for (let t = 0; t < xs.length; t++) {
        const x = xs[t];
        if (!x.requiresGrad) continue;
        const c = x.cols;
        const off = offs[t];
        tape.gradInto(x, (buf) => {
          for (let i = 0; i < rows; i++) {
            const gi = i * width + off;
            const bi = i * c;
            for (let j = 0; j < c; j++) buf[bi + j] += g[gi + j];
          }
        });
      }
    });
  }
  return out;
}

/** Mean over heads: x is rows × (H·F) with head h in columns [h·F, (h+1)·F); the result is rows × F. */
export function headMean(x: Tensor, heads: number): Tensor {
  const [rows, w] = dims2('headMean x', x.shape);
  if (!(heads >= 1) || w % heads !== 0)
    argError('headMean heads', `${heads} does not divide ${w} columns`, { cols: w });
  const f = w / heads;
  const inv = 1 / heads;
  const tape = x.tape;
  const out = tape.result([rows, f], x);
  const o = out.data;
  const v = x.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < f; j++) {
      let s = 0;
      for (let h = 0; h < heads; h++) s += v[i * w + h * f + j];
      o[i * f + j] = s * inv;
    }
  }
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let i = 0; i < rows; i++) {
          for (let h = 0; h < heads; h++) {
            const xi = i * w + h * f;
            for (let j = 0; j < f; j++) buf[xi + j] += inv * g[i * f + j];
          }
        }
      }),
    );
  }
  return out;
}

/** out[r, :] = x[idx[r], :] (torch.index_select on dim 0). Backward scatter-adds rows back (repeats accumulate). */
export function indexSelect(x: Tensor, idx: Int32Array): Tensor {
  const [rows, c] = dims2('indexSelect x', x.shape);
  checkIndex('indexSelect idx', idx, rows);
  const tape = x.tape;
  const out = tape.result([idx.length, c], x);
  const o = out.data;
  const v = x.data;
  for (let r = 0; r < idx.length; r++) o.set(v.subarray(idx[r] * c, idx[r] * c + c), r * c);
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let r = 0; r < idx.length; r++) {
          const bi = idx[r] * c;
          const gi = r * c;
          for (let j = 0; j < c; j++) buf[bi + j] += g[gi + j];
        }
      }),
    );
  }
  return out;
}

/** out = x[0:n, :], the first n rows (a block's dst nodes lead its src nodes). Backward adds g into those rows. */
export function sliceRows(x: Tensor, n: number): Tensor {
  const [rows, c] = dims2('sliceRows x', x.shape);
  if (!Number.isInteger(n) || n < 0 || n > rows) argError('sliceRows n', `${n} is outside [0, ${rows}]`);
  const tape = x.tape;
  const out = tape.result([n, c], x);
  out.data.set(x.data.subarray(0, n * c));
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let k = 0; k < n * c; k++) buf[k] += g[k];
      }),
    );
  }
  return out;
}

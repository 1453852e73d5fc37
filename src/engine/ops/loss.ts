/**
 * Classification losses over a subset of rows (the train/val/test mask), mean-reduced over that subset:
 *   logSoftmax(x)[i,c] = x[i,c] − log Σ_k exp x[i,k]   (softmax = its exponential)
 *   nllLoss(lp, y, rows)  = −(1/|rows|) Σ_{i∈rows} lp[i, y_i]
 *   crossEntropy(x, y, rows) = nllLoss(logSoftmax(x), y, rows), fused: only the selected rows are touched and the
 *   backward is (softmax − onehot)/|rows|.
 * Rows are an Int32Array of row ids, or a 0/1 Uint8Array mask over all rows (converted each call; convert once with
 * `maskToRows` in a loop). Omitted = every row.
 */

import type { FArray } from '../backend/types.js';
import { argError, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';

export type RowSelection = Int32Array | Uint8Array;

/** Row ids of the nonzero entries of a 0/1 mask. */
export function maskToRows(mask: Uint8Array): Int32Array {
  let m = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) m++;
  const rows = new Int32Array(m);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) rows[k++] = i;
  return rows;
}

function selectRows(field: string, sel: RowSelection | undefined, n: number): Int32Array {
  let rows: Int32Array;
  if (sel === undefined) {
    rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
  } else if (sel instanceof Uint8Array) {
    if (sel.length !== n)
      argError(field, `mask has length ${sel.length}, the input has ${n} rows`, { length: sel.length, rows: n });
    rows = maskToRows(sel);
  } else {
    rows = sel;
    for (let r = 0; r < rows.length; r++) {
      if (rows[r] < 0 || rows[r] >= n)
        argError(field, `row ${rows[r]} at position ${r} is outside [0, ${n})`, { index: r });
    }
  }
  if (rows.length === 0) argError(field, 'selects no rows; a mean over an empty set is undefined');
  return rows;
}

function checkLabel(labels: Int32Array, i: number, classes: number): number {
  const y = labels[i];
  if (!(y >= 0 && y < classes)) {
    argError(
      'labels',
      `node ${i} has label ${y}, outside [0, ${classes}) (unlabelled nodes cannot be in a loss mask)`,
      {
        index: i,
        value: y,
        limit: classes,
      },
    );
  }
  return y;
}

/** max_k v[b+k] over the c entries of the row starting at b. */
function rowMax(v: ArrayLike<number>, b: number, c: number): number {
  let mx = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < c; k++) if (v[b + k] > mx) mx = v[b + k];
  return mx;
}

/** Σ_k exp(v[b+k] − mx) over the row starting at b: with mx = rowMax, the overflow-free softmax denominator. */
function expSum(v: ArrayLike<number>, b: number, c: number, mx: number): number {
  let z = 0;
  for (let k = 0; k < c; k++) z += Math.exp(v[b + k] - mx);
  return z;
}

/** Softmax of the c entries of v starting at b, written to o at the same offsets. */
function softmaxRow(v: ArrayLike<number>, o: FArray, b: number, c: number): void {
  const mx = rowMax(v, b, c);
  const z = expSum(v, b, c, mx);
  for (let k = 0; k < c; k++) o[b + k] = Math.exp(v[b + k] - mx) / z;
}

/**
 * Row-wise softmax of a plain row-major n × c array (logits already read off the tape), into `out` (a new float32
 * array when omitted; a Float64Array keeps double precision). The same arithmetic as the `softmax` op, without a tape.
 */
export function softmaxRows<T extends FArray = Float32Array>(
  v: ArrayLike<number>,
  n: number,
  c: number,
  out: T = new Float32Array(n * c) as T,
): T {
  if (v.length < n * c) argError('softmaxRows v', `has ${v.length} entries, ${n} × ${c} needs ${n * c}`);
  if (out.length < n * c) argError('softmaxRows out', `has ${out.length} entries, ${n} × ${c} needs ${n * c}`);
  for (let i = 0; i < n; i++) softmaxRow(v, out, i * c, c);
  return out;
}

/**
 * An n × c op applied row by row: `forward` fills out[b .. b+c) from x[b .. b+c); `backward` adds that row's
 * input gradient to buf, given the output gradient g and the output o (row offsets b = i·c).
 */
function rowwise(
  name: string,
  x: Tensor,
  forward: (v: FArray, o: FArray, b: number, c: number) => void,
  backward: (g: FArray, o: FArray, buf: FArray, b: number, c: number) => void,
): Tensor {
  const [n, c] = dims2(`${name} x`, x.shape);
  const tape = x.tape;
  const out = tape.result([n, c], x);
  const o = out.data;
  for (let i = 0; i < n; i++) forward(x.data, o, i * c, c);
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(x, (buf) => {
        for (let i = 0; i < n; i++) backward(g, o, buf, i * c, c);
      }),
    );
  }
  return out;
}

/** Row-wise log-softmax. Backward: dx = g − softmax · Σ_c g. */
export function logSoftmax(x: Tensor): Tensor {
  return rowwise(
    'logSoftmax',
    x,
    (v, o, b, c) => {
      const mx = rowMax(v, b, c);
      const lse = mx + Math.log(expSum(v, b, c, mx));
      for (let k = 0; k < c; k++) o[b + k] = v[b + k] - lse;
    },
    (g, o, buf, b, c) => {
      let s = 0;
      for (let k = 0; k < c; k++) s += g[b + k];
      for (let k = 0; k < c; k++) buf[b + k] += g[b + k] - Math.exp(o[b + k]) * s;
    },
  );
}

/** Row-wise softmax (class probabilities for serving and calibration). Backward: dx = y ⊙ (g − Σ_c g ⊙ y). */
export function softmax(x: Tensor): Tensor {
  return rowwise('softmax', x, softmaxRow, (g, o, buf, b, c) => {
    let s = 0;
    for (let k = 0; k < c; k++) s += g[b + k] * o[b + k];
    for (let k = 0; k < c; k++) buf[b + k] += o[b + k] * (g[b + k] - s);
  });
}

/** Negative log-likelihood of log-probabilities, mean over the selected rows; a scalar (shape []). */
export function nllLoss(logp: Tensor, labels: Int32Array, rows?: RowSelection): Tensor {
  const [n, c] = dims2('nllLoss logp', logp.shape);
  if (labels.length !== n) argError('labels', `length ${labels.length}, the input has ${n} rows`);
  const sel = selectRows('nllLoss rows', rows, n);
  const m = sel.length;
  const tape = logp.tape;
  const out = tape.result([], logp);
  const v = logp.data;
  let s = 0;
  for (let r = 0; r < m; r++) {
    const i = sel[r];
    s -= v[i * c + checkLabel(labels, i, c)];
  }
  out.data[0] = s / m;
  if (out.requiresGrad) {
    tape.record(out, (g) =>
      tape.gradInto(logp, (buf) => {
        const w = g[0] / m;
        for (let r = 0; r < m; r++) buf[sel[r] * c + labels[sel[r]]] -= w;
      }),
    );
  }
  return out;
}

/** Softmax cross-entropy of logits, mean over the selected rows; a scalar (shape []). */
export function crossEntropy(logits: Tensor, labels: Int32Array, rows?: RowSelection): Tensor {
  const [n, c] = dims2('crossEntropy logits', logits.shape);
  if (labels.length !== n) argError('labels', `length ${labels.length}, the logits have ${n} rows`);
  const sel = selectRows('crossEntropy rows', rows, n);
  const m = sel.length;
  const tape = logits.tape;
  const out = tape.result([], logits);
  const v = logits.data;
  const probs = out.requiresGrad ? tape.scratch(m * c) : null;
  let s = 0;
  for (let r = 0; r < m; r++) {
    const i = sel[r];
    const y = checkLabel(labels, i, c);
    const b = i * c;
    const mx = rowMax(v, b, c);
    const z = expSum(v, b, c, mx);
    s += mx + Math.log(z) - v[b + y];
    if (probs) for (let k = 0; k < c; k++) probs[r * c + k] = Math.exp(v[b + k] - mx) / z;
  }
  out.data[0] = s / m;
  if (out.requiresGrad && probs) {
    tape.record(out, (g) =>
      tape.gradInto(logits, (buf) => {
        const w = g[0] / m;
        for (let r = 0; r < m; r++) {
          const b = sel[r] * c;
          for (let k = 0; k < c; k++) buf[b + k] += w * probs[r * c + k];
          buf[b + labels[sel[r]]] -= w;
        }
      }),
    );
  }
  return out;
}

/** Row-wise argmax (first index on ties). */
export function argmax(x: Tensor): Int32Array {
  const [n, c] = dims2('argmax x', x.shape);
  return argmaxRows(x.data, n, c);
}

/** Index of the largest of the c entries of v starting at b, first index on ties. */
function rowArgmax(v: ArrayLike<number>, b: number, c: number): number {
  let best = 0;
  for (let k = 1; k < c; k++) if (v[b + k] > v[b + best]) best = k;
  return best;
}

/**
 * Argmax per row of a row-major n × c array, first index on ties (plain arrays: probabilities, scores). With
 * `maxOut`, the row's largest value (its top probability, for serving's confidence) is written there too.
 */
export function argmaxRows(v: ArrayLike<number>, n: number, c: number, maxOut?: Float32Array): Int32Array {
  if (v.length < n * c) argError('argmaxRows v', `has ${v.length} entries, ${n} × ${c} needs ${n * c}`);
  if (maxOut && maxOut.length < n) argError('argmaxRows maxOut', `has ${maxOut.length} entries, needs ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = rowArgmax(v, i * c, c);
    if (maxOut) maxOut[i] = v[i * c + out[i]];
  }
  return out;
}

/** Share of selected rows whose argmax equals the label (no gradient). */
export function accuracy(logits: Tensor, labels: Int32Array, rows?: RowSelection): number {
  const [n, c] = dims2('accuracy logits', logits.shape);
  if (labels.length !== n) argError('labels', `length ${labels.length}, the logits have ${n} rows`);
  const sel = selectRows('accuracy rows', rows, n);
  const v = logits.data;
  let hit = 0;
  for (let r = 0; r < sel.length; r++) {
    const i = sel[r];
    if (rowArgmax(v, i * c, c) === labels[i]) hit++;
  }
  return hit / sel.length;
}

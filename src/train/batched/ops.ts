/**
 * Ops for training S independent models side by side in one set of wide tensors (column block s = model s).
 * Each has its forward and backward together, like the engine's ops, and touches every block independently, so the
 * gradient of model s's loss reaches only model s's parameters.
 *
 *   blockLinear(H, W, S):  H is N × (S·h), W is (S·h) × C (row block s = W_s, h × C);  out N × (S·C), block s = H_s·W_s
 *   maskedDropout(x, mask, p):  inverted dropout with a caller-built 0/1 mask (per-model masks interleaved)
 *   blockCrossEntropy(Z, labels, rows[], active[]):  Σ_{s active} mean_{i ∈ rows_s} CE(Z_s[i], y_i), a scalar
 */
import type { FArray, SparseAdjacency, Tensor } from '../../engine/index.js';

/** Copies column block s (width w) of a row-major n × (S·w) matrix into a contiguous n × w buffer. */
export function gatherBlock(src: FArray, n: number, S: number, w: number, s: number, dst: FArray): void {
  const stride = S * w;
  for (let i = 0, o = 0, p = s * w; i < n; i++, p += stride) for (let k = 0; k < w; k++) dst[o++] = src[p + k];
}

/** dst's column block s (+)= a contiguous n × w buffer (beta 0 overwrites, 1 adds). */
export function scatterBlock(src: FArray, n: number, S: number, w: number, s: number, dst: FArray, beta: 0 | 1): void {
  const stride = S * w;
  for (let i = 0, o = 0, p = s * w; i < n; i++, p += stride) {
    if (beta === 0) for (let k = 0; k < w; k++) dst[p + k] = src[o++];
    else for (let k = 0; k < w; k++) dst[p + k] += src[o++];
  }
}

export function blockLinear(h: Tensor, w: Tensor, S: number): Tensor {
  const [n, sh] = [h.shape[0], h.shape[1]];
  const hw = sh / S;
  const c = w.shape[1];
  const tape = h.tape;
  const be = tape.backend;
  const out = tape.result([n, S * c], h, w);
  // Split-major copies of H: each model's block contiguous, for the GEMMs (kept for the backward pass).
  const hs = tape.scratch(n * sh);
  const zs = tape.scratch(n * c);
  for (let s = 0; s < S; s++) {
    const hb = hs.subarray(s * n * hw, (s + 1) * n * hw);
    gatherBlock(h.data, n, S, hw, s, hb);
    be.gemm(false, false, n, c, hw, hb, w.data.subarray(s * hw * c, (s + 1) * hw * c), zs, 1, 0);
    scatterBlock(zs, n, S, c, s, out.data, 0);
  }
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      const gs = tape.scratch(n * c);
      const dh = h.requiresGrad ? tape.scratch(n * hw) : null;
      const gw = w.requiresGrad ? tape.gradBuffer(w) : null;
      const gh = h.requiresGrad ? tape.gradBuffer(h) : null;
      for (let s = 0; s < S; s++) {
        gatherBlock(g, n, S, c, s, gs);
        const hb = hs.subarray(s * n * hw, (s + 1) * n * hw);
        const ws = w.data.subarray(s * hw * c, (s + 1) * hw * c);
        if (gw) be.gemm(true, false, hw, c, n, hb, gs, gw.subarray(s * hw * c, (s + 1) * hw * c), 1, 1);
        if (gh && dh) {
          be.gemm(false, true, n, hw, c, gs, ws, dh, 1, 0);
          scatterBlock(dh, n, S, hw, s, gh, 1);
        }
      }
    });
  }
  return out;
}

/** out = x ⊙ mask / (1 − p); backward applies the same mask and scale. */
export function maskedDropout(x: Tensor, mask: Uint8Array, p: number): Tensor {
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result(x.shape, x);
  const scale = p < 1 ? 1 / (1 - p) : 0;
  be.maskScale(x.data, mask, scale, out.data);
  if (out.requiresGrad) tape.record(out, (g) => tape.gradViaTemp(x, (buf) => be.maskScale(g, mask, scale, buf)));
  return out;
}

/**
 * Mean softmax cross-entropy and accuracy (argmax, first on ties) of model s's logits, column block s of the
 * n × (S·c) matrix z, over its rows r: written to loss[s] and acc[s]. With `probs`, the softmax of the row at
 * position t is also written to probs[(off + t)·c ..) for the backward pass.
 */
function blockScores(
  z: FArray,
  S: number,
  c: number,
  s: number,
  labels: Int32Array,
  r: Int32Array,
  loss: Float64Array,
  acc: Float64Array,
  probs: FArray | null,
  off: number,
): void {
  const width = S * c;
  let sum = 0;
  let hit = 0;
  for (let t = 0; t < r.length; t++) {
    const i = r[t];
    const b = i * width + s * c;
    let mx = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let k = 0; k < c; k++)
      if (z[b + k] > mx) {
        mx = z[b + k];
        arg = k;
      }
    let zsum = 0;
    for (let k = 0; k < c; k++) zsum += Math.exp(z[b + k] - mx);
    sum += mx + Math.log(zsum) - z[b + labels[i]];
    if (arg === labels[i]) hit++;
    if (probs) for (let k = 0; k < c; k++) probs[(off + t) * c + k] = Math.exp(z[b + k] - mx) / zsum;
  }
  loss[s] = sum / r.length;
  acc[s] = hit / r.length;
}

/**
 * Sum over active models of their mean softmax cross-entropy on their own rows. Per-model losses and accuracies are
 * written to `losses`/`accs` (NaN for inactive models). Backward: (softmax − onehot)/|rows_s| in block s.
 */
export function blockCrossEntropy(
  z: Tensor,
  labels: Int32Array,
  rows: readonly Int32Array[],
  active: readonly boolean[],
  losses: Float64Array,
  accs: Float64Array,
): Tensor {
  const S = rows.length;
  const n = z.shape[0];
  const c = z.shape[1] / S;
  const width = S * c;
  const tape = z.tape;
  const out = tape.result([], z);
  const v = z.data;
  const offs: number[] = [];
  let m = 0;
  for (let s = 0; s < S; s++) {
    offs.push(m);
    if (active[s]) m += rows[s].length;
  }
  const probs = out.requiresGrad ? tape.scratch(m * c) : null;
  let total = 0;
  for (let s = 0; s < S; s++) {
    losses[s] = Number.NaN;
    accs[s] = Number.NaN;
    if (!active[s]) continue;
    blockScores(v, S, c, s, labels, rows[s], losses, accs, probs, offs[s]);
    total += losses[s];
  }
  out.data[0] = total;
  if (probs && n > 0) {
    tape.record(out, (g) => {
      const buf = tape.gradBuffer(z);
      for (let s = 0; s < S; s++) {
        if (!active[s]) continue;
        const r = rows[s];
        const w = g[0] / r.length;
        for (let t = 0; t < r.length; t++) {
          const i = r[t];
          const b = i * width + s * c;
          const pb = (offs[s] + t) * c;
          for (let k = 0; k < c; k++) buf[b + k] += w * probs[pb + k];
          buf[b + labels[i]] -= w;
        }
      }
    });
  }
  return out;
}

/** Per-model mean cross-entropy and accuracy of block logits on each model's rows (no gradient). */
export function blockMetrics(
  z: FArray,
  S: number,
  c: number,
  labels: Int32Array,
  rows: readonly Int32Array[],
): { loss: Float64Array; acc: Float64Array } {
  const loss = new Float64Array(S);
  const acc = new Float64Array(S);
  for (let s = 0; s < S; s++) blockScores(z, S, c, s, labels, rows[s], loss, acc, null, 0);
  return { loss, acc };
}

/**
 * Â applied to each model's column block: out block s = Â · x block s, for x of shape N × (S·w). Each block is
 * gathered into a contiguous N × w buffer so the SpMM streams a narrow matrix that stays in cache (one SpMM over
 * all S·w columns at once gathers 4·S·w-byte rows from a matrix far larger than the cache, and runs several times
 * slower). Backward: the same with the transposed operator.
 */
export function blockSpmm(adj: SparseAdjacency, x: Tensor, S: number): Tensor {
  const [n, sw] = [x.shape[0], x.shape[1]];
  const w = sw / S;
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result([adj.a.rows, sw], x);
  const inB = be.alloc(n * w);
  const outB = be.alloc(adj.a.rows * w);
  try {
    for (let s = 0; s < S; s++) {
      gatherBlock(x.data, n, S, w, s, inB);
      be.spmm(adj.a, inB, w, outB, 0);
      scatterBlock(outB, adj.a.rows, S, w, s, out.data, 0);
    }
  } finally {
    be.free(inB);
    be.free(outB);
  }
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      const gx = tape.gradBuffer(x);
      const gi = be.alloc(adj.a.rows * w);
      const go = be.alloc(n * w);
      try {
        for (let s = 0; s < S; s++) {
          gatherBlock(g, adj.a.rows, S, w, s, gi);
          be.spmm(adj.t, gi, w, go, 0);
          scatterBlock(go, n, S, w, s, gx, 1);
        }
      } finally {
        be.free(gi);
        be.free(go);
      }
    });
  }
  return out;
}

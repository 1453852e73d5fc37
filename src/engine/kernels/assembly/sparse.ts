// Row gathers over a CSR structure: SpMM and the attention aggregation (and its x-gradient on the transposed CSR).
// out[i, col:col+f] = Σ_{t in row i} w(t) · x[indices[t], col:col+f] (+ beta·out), vectorised over the f columns
// in blocks of up to 8 f32x4 accumulators; the sum over t runs in CSR order, so results do not depend on threads.
// The weight mode is a compile-time type tag: u8 → all ones, u16 → w[t·ws], u32 → w[perm[t]·ws].

import { storeLanes } from './simd';

@inline
function weight<M>(t: i32, w: usize, ws: i32, perm: usize): v128 {
  if (sizeof<M>() == 2) return v128.load32_splat(w + (<usize>(t * ws) << 2));
  if (sizeof<M>() == 4) return v128.load32_splat(w + (<usize>(load<i32>(perm + (<usize>t << 2)) * ws) << 2));
  return f32x4.splat(1);
}

@inline
function madd<M>(acc: v128, wv: v128, xv: v128): v128 {
  if (sizeof<M>() == 1) return f32x4.add(acc, xv);
  return f32x4.add(acc, f32x4.mul(wv, xv));
}

@inline
function fin(po: usize, acc: v128, beta: f32, valid: i32): void {
  let r = acc;
  if (beta != 0) r = f32x4.add(r, f32x4.mul(v128.load(po), f32x4.splat(beta)));
  storeLanes(po, r, valid);
}

// Block kernels: nv f32x4 accumulators; only the last vector may be partial (vl valid lanes).
function agg8<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    const wv = weight<M>(t, w, ws, perm);
    a0 = madd<M>(a0, wv, v128.load(xp));
    a1 = madd<M>(a1, wv, v128.load(xp, 16));
    a2 = madd<M>(a2, wv, v128.load(xp, 32));
    a3 = madd<M>(a3, wv, v128.load(xp, 48));
    a4 = madd<M>(a4, wv, v128.load(xp, 64));
    a5 = madd<M>(a5, wv, v128.load(xp, 80));
    a6 = madd<M>(a6, wv, v128.load(xp, 96));
    a7 = madd<M>(a7, wv, v128.load(xp, 112));
  }
  fin(po, a0, beta, 4);
  fin(po + 16, a1, beta, 4);
  fin(po + 32, a2, beta, 4);
  fin(po + 48, a3, beta, 4);
  fin(po + 64, a4, beta, 4);
  fin(po + 80, a5, beta, 4);
  fin(po + 96, a6, beta, 4);
  fin(po + 112, a7, beta, vl);
}

function agg9<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0), a8 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    const wv = weight<M>(t, w, ws, perm);
    a0 = madd<M>(a0, wv, v128.load(xp));
    a1 = madd<M>(a1, wv, v128.load(xp, 16));
    a2 = madd<M>(a2, wv, v128.load(xp, 32));
    a3 = madd<M>(a3, wv, v128.load(xp, 48));
    a4 = madd<M>(a4, wv, v128.load(xp, 64));
    a5 = madd<M>(a5, wv, v128.load(xp, 80));
    a6 = madd<M>(a6, wv, v128.load(xp, 96));
    a7 = madd<M>(a7, wv, v128.load(xp, 112));
    a8 = madd<M>(a8, wv, v128.load(xp, 128));
  }
  fin(po, a0, beta, 4);
  fin(po + 16, a1, beta, 4);
  fin(po + 32, a2, beta, 4);
  fin(po + 48, a3, beta, 4);
  fin(po + 64, a4, beta, 4);
  fin(po + 80, a5, beta, 4);
  fin(po + 96, a6, beta, 4);
  fin(po + 112, a7, beta, 4);
  fin(po + 128, a8, beta, vl);
}

function agg4<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    const wv = weight<M>(t, w, ws, perm);
    a0 = madd<M>(a0, wv, v128.load(xp));
    a1 = madd<M>(a1, wv, v128.load(xp, 16));
    a2 = madd<M>(a2, wv, v128.load(xp, 32));
    a3 = madd<M>(a3, wv, v128.load(xp, 48));
  }
  fin(po, a0, beta, 4);
  fin(po + 16, a1, beta, 4);
  fin(po + 32, a2, beta, 4);
  fin(po + 48, a3, beta, vl);
}

function agg3<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    const wv = weight<M>(t, w, ws, perm);
    a0 = madd<M>(a0, wv, v128.load(xp));
    a1 = madd<M>(a1, wv, v128.load(xp, 16));
    a2 = madd<M>(a2, wv, v128.load(xp, 32));
  }
  fin(po, a0, beta, 4);
  fin(po + 16, a1, beta, 4);
  fin(po + 32, a2, beta, vl);
}

function agg2<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    const wv = weight<M>(t, w, ws, perm);
    a0 = madd<M>(a0, wv, v128.load(xp));
    a1 = madd<M>(a1, wv, v128.load(xp, 16));
  }
  fin(po, a0, beta, 4);
  fin(po + 16, a1, beta, vl);
}

function agg1<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, po: usize, beta: f32, vl: i32,
): void {
  let a0 = f32x4.splat(0);
  for (let t = s; t < e; t++) {
    const xp = x + <usize>load<i32>(idx + (<usize>t << 2)) * ldx4;
    a0 = madd<M>(a0, weight<M>(t, w, ws, perm), v128.load(xp));
  }
  fin(po, a0, beta, vl);
}

/** One output row segment of f columns: x and out already offset to the first column. */
@inline
function aggRow<M>(
  s: i32, e: i32, idx: usize, w: usize, ws: i32, perm: usize, x: usize, ldx4: usize, f: i32, po: usize, beta: f32,
): void {
  let nv = (f + 3) >> 2;
  const last = f - ((nv - 1) << 2);
  // 9 vectors (f = 33..36, e.g. GCN hidden 33) in one pass rather than 8 + 1
  if (nv == 9) {
    agg9<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, last);
    return;
  }
  while (nv >= 8) {
    agg8<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, nv == 8 ? last : 4);
    nv -= 8;
    x += 128;
    po += 128;
  }
  if (nv >= 4) {
    agg4<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, nv == 4 ? last : 4);
    nv -= 4;
    x += 64;
    po += 64;
  }
  if (nv == 3) {
    agg3<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, last);
    return;
  }
  if (nv >= 2) {
    agg2<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, nv == 2 ? last : 4);
    nv -= 2;
    x += 32;
    po += 32;
  }
  if (nv >= 1) agg1<M>(s, e, idx, w, ws, perm, x, ldx4, po, beta, last);
}

/** Rows [lo, hi) of out (rows × f) = A·X + beta·out; values = 0 means all ones. */
export function spmm(
  lo: i32, hi: i32, indptr: usize, indices: usize, values: usize, x: usize, f: i32, out: usize, beta: f32,
): void {
  const ld4 = <usize>f << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    const po = out + <usize>i * ld4;
    if (values == 0) aggRow<u8>(s, e, indices, 0, 1, 0, x, ld4, f, po, beta);
    else aggRow<u16>(s, e, indices, values, 1, 0, x, ld4, f, po, beta);
  }
}

/**
 * Rows [lo, hi) of out[i, h, :] = Σ_t w[·, h] · x[indices[t], h, :] (x: · × H·F, out: rows × H·F).
 * perm = 0: weight w[t·H + h] (edgeAggregate); otherwise w[perm[t]·H + h] (edgeAggregateGradX on the transposed CSR).
 */
export function edgeAggregate(
  lo: i32, hi: i32, indptr: usize, indices: usize, perm: usize, w: usize, x: usize, heads: i32, f: i32, out: usize,
): void {
  const ld4 = <usize>(heads * f) << 2;
  const f4 = <usize>f << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (let h = 0; h < heads; h++) {
      const col = <usize>h * f4;
      const po = out + <usize>i * ld4 + col;
      const wh = w + (<usize>h << 2);
      if (perm == 0) aggRow<u16>(s, e, indices, wh, heads, 0, x + col, ld4, f, po, 0);
      else aggRow<u32>(s, e, indices, wh, heads, perm, x + col, ld4, f, po, 0);
    }
  }
}

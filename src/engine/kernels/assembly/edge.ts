// Edge-wise attention kernels over CSR rows (row i = target, entry t, source j = indices[t]); edge-major E × H.

import { exp4, hsum, hsum4, laneMask } from './simd';

/** Rows [lo, hi): out[t·H+h] = leakyRelu(src[j·H+h] + dst[i·H+h], slope). */
export function edgeScore(
  lo: i32, hi: i32, indptr: usize, indices: usize, src: usize, dst: usize, heads: i32, slope: f32, out: usize,
): void {
  const h4 = <usize>heads << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    const pd = dst + <usize>i * h4;
    for (let t = s; t < e; t++) {
      const ps = src + <usize>load<i32>(indices + (<usize>t << 2)) * h4;
      const po = out + <usize>t * h4;
      let h = 0;
      for (; h + 4 <= heads; h += 4) {
        const o = <usize>h << 2;
        const v = f32x4.add(v128.load(ps + o), v128.load(pd + o));
        const neg = f32x4.mul(v, f32x4.splat(slope));
        v128.store(po + o, v128.bitselect(v, neg, f32x4.gt(v, f32x4.splat(0))));
      }
      for (; h < heads; h++) {
        const o = <usize>h << 2;
        const v = load<f32>(ps + o) + load<f32>(pd + o);
        store<f32>(po + o, v > 0 ? v : v * slope);
      }
    }
  }
}

/**
 * Rows [lo, hi): softmax over each row's entries, per head. Heads go four at a time in f32x4 lanes; leftover heads
 * take four consecutive entries per exp4. (A NaN score makes its row and head NaN, as in the reference.)
 */
export function edgeSoftmax(lo: i32, hi: i32, indptr: usize, scores: usize, heads: i32, out: usize): void {
  const h4 = <usize>heads << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    if (s == e) continue;
    const ps = scores + <usize>s * h4;
    const po = out + <usize>s * h4;
    const n = e - s;
    let h = 0;
    for (; h + 4 <= heads; h += 4) {
      const o = <usize>h << 2;
      let m = v128.load(ps + o);
      for (let t = 1; t < n; t++) m = f32x4.pmax(m, v128.load(ps + <usize>t * h4 + o));
      let sum = f32x4.splat(0);
      for (let t = 0; t < n; t++) {
        const p = <usize>t * h4 + o;
        const x = exp4(f32x4.sub(v128.load(ps + p), m));
        v128.store(po + p, x);
        sum = f32x4.add(sum, x);
      }
      for (let t = 0; t < n; t++) {
        const p = po + <usize>t * h4 + o;
        v128.store(p, f32x4.div(v128.load(p), sum));
      }
    }
    for (; h < heads; h++) {
      // a leftover head: the same exp4, on four consecutive entries at a time
      const o = <usize>h << 2;
      let m = load<f32>(ps + o);
      for (let t = 1; t < n; t++) m = max(m, load<f32>(ps + <usize>t * h4 + o));
      const mv = f32x4.splat(m);
      let sum: f32 = 0;
      let t = 0;
      for (; t < n; t += 4) {
        const p0 = <usize>t * h4 + o;
        let v = v128.load32_splat(ps + p0);
        if (t + 1 < n) v = f32x4.replace_lane(v, 1, load<f32>(ps + p0 + h4));
        if (t + 2 < n) v = f32x4.replace_lane(v, 2, load<f32>(ps + p0 + 2 * h4));
        if (t + 3 < n) v = f32x4.replace_lane(v, 3, load<f32>(ps + p0 + 3 * h4));
        const x = exp4(f32x4.sub(v, mv));
        const x0 = f32x4.extract_lane(x, 0);
        store<f32>(po + p0, x0);
        sum += x0;
        if (t + 1 < n) {
          const x1 = f32x4.extract_lane(x, 1);
          store<f32>(po + p0 + h4, x1);
          sum += x1;
        }
        if (t + 2 < n) {
          const x2 = f32x4.extract_lane(x, 2);
          store<f32>(po + p0 + 2 * h4, x2);
          sum += x2;
        }
        if (t + 3 < n) {
          const x3 = f32x4.extract_lane(x, 3);
          store<f32>(po + p0 + 3 * h4, x3);
          sum += x3;
        }
      }
      for (t = 0; t < n; t++) {
        const p = po + <usize>t * h4 + o;
        store<f32>(p, load<f32>(p) / sum);
      }
    }
  }
}

/** Rows [lo, hi): gradScores = alpha ⊙ (gradAlpha − Σ_row alpha ⊙ gradAlpha), per head (four heads per f32x4). */
export function edgeSoftmaxBackward(
  lo: i32, hi: i32, indptr: usize, alpha: usize, gradAlpha: usize, heads: i32, gradScores: usize,
): void {
  const h4 = <usize>heads << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    const base = <usize>s * h4;
    let h = 0;
    for (; h + 4 <= heads; h += 4) {
      const o = base + (<usize>h << 2);
      let dot = f32x4.splat(0);
      for (let t = s; t < e; t++) {
        const p = o + <usize>(t - s) * h4;
        dot = f32x4.add(dot, f32x4.mul(v128.load(alpha + p), v128.load(gradAlpha + p)));
      }
      for (let t = s; t < e; t++) {
        const p = o + <usize>(t - s) * h4;
        v128.store(gradScores + p, f32x4.mul(v128.load(alpha + p), f32x4.sub(v128.load(gradAlpha + p), dot)));
      }
    }
    for (; h < heads; h++) {
      const o = base + (<usize>h << 2);
      let dot: f32 = 0;
      for (let t = s; t < e; t++) {
        const p = o + <usize>(t - s) * h4;
        dot += load<f32>(alpha + p) * load<f32>(gradAlpha + p);
      }
      for (let t = s; t < e; t++) {
        const p = o + <usize>(t - s) * h4;
        store<f32>(gradScores + p, load<f32>(alpha + p) * (load<f32>(gradAlpha + p) - dot));
      }
    }
  }
}

/** Lane-wise partial sums of g[c]·x[c] over c < f (the last partial vector masked). */
@inline
function dotLanes(g: usize, x: usize, full: i32, f: i32, mask: v128): v128 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c < full; c += 4) {
    const o = <usize>c << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(g + o), v128.load(x + o)));
  }
  if (c < f) {
    const o = <usize>c << 2;
    acc = f32x4.add(acc, v128.and(f32x4.mul(v128.load(g + o), v128.load(x + o)), mask));
  }
  return acc;
}

/**
 * Rows [lo, hi): gradAlpha[t·H+h] = ⟨gradOut[i, h, :], x[j, h, :]⟩: lane-wise partial sums, then a fixed-order
 * horizontal sum, four heads at a time through hsum4.
 */
export function edgeAggregateGradAlpha(
  lo: i32, hi: i32, indptr: usize, indices: usize, gradOut: usize, x: usize, heads: i32, f: i32, gradAlpha: usize,
): void {
  const ld4 = <usize>(heads * f) << 2;
  const f4 = <usize>f << 2;
  const full = f & ~3;
  const mask = laneMask(f - full);
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    const pg = gradOut + <usize>i * ld4;
    for (let t = s; t < e; t++) {
      const px = x + <usize>load<i32>(indices + (<usize>t << 2)) * ld4;
      const po = gradAlpha + (<usize>(t * heads) << 2);
      let h = 0;
      for (; h + 4 <= heads; h += 4) {
        const o = <usize>h * f4;
        const a = dotLanes(pg + o, px + o, full, f, mask);
        const b = dotLanes(pg + o + f4, px + o + f4, full, f, mask);
        const c = dotLanes(pg + o + 2 * f4, px + o + 2 * f4, full, f, mask);
        const d = dotLanes(pg + o + 3 * f4, px + o + 3 * f4, full, f, mask);
        v128.store(po + (<usize>h << 2), hsum4(a, b, c, d));
      }
      for (; h < heads; h++) {
        const o = <usize>h * f4;
        store<f32>(po + (<usize>h << 2), hsum(dotLanes(pg + o, px + o, full, f, mask)));
      }
    }
  }
}

/**
 * Rows [lo, hi) of one side of edgeScore's backward. With d[e,h] = gradScores[e,h] · (src[j,h] + dst[i,h] > 0 ? 1 :
 * slope): out[r,h] = Σ_{t in row r} d[e(t),h] (+ beta·out), where the CSR walked is either the original (r = i,
 * e(t) = t, other = indices[t] is the source: gradDst) or the transposed one (r = j, e(t) = perm[t], other =
 * indicesT[t] is the target: gradSrc). `mine`/`theirs` are the score terms of row r and of the other endpoint.
 */
export function edgeScoreBackward(
  lo: i32, hi: i32, indptr: usize, indices: usize, perm: usize, mine: usize, theirs: usize, heads: i32, slope: f32,
  gradScores: usize, out: usize, beta: f32,
): void {
  const h4 = <usize>heads << 2;
  for (let r = lo; r < hi; r++) {
    const s = load<i32>(indptr + (<usize>r << 2));
    const e = load<i32>(indptr + (<usize>(r + 1) << 2));
    const pm = mine + <usize>r * h4;
    const po = out + <usize>r * h4;
    for (let h = 0; h < heads; h++) {
      const o = <usize>h << 2;
      const m = load<f32>(pm + o);
      let acc: f32 = 0;
      for (let t = s; t < e; t++) {
        const other = load<i32>(indices + (<usize>t << 2));
        const edge = perm == 0 ? t : load<i32>(perm + (<usize>t << 2));
        const g = load<f32>(gradScores + <usize>edge * h4 + o);
        acc += load<f32>(theirs + <usize>other * h4 + o) + m > 0 ? g : g * slope;
      }
      store<f32>(po + o, beta == 0 ? acc : acc + beta * load<f32>(po + o));
    }
  }
}

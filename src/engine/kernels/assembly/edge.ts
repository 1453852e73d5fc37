// Edge-wise attention kernels over CSR rows (row i = target, entry t, source j = indices[t]); edge-major E × H.

import { exp4, hsum, laneMask } from './simd';

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

/** Rows [lo, hi): softmax over each row's entries, per head. */
export function edgeSoftmax(lo: i32, hi: i32, indptr: usize, scores: usize, heads: i32, out: usize): void {
  const h4 = <usize>heads << 2;
  // 1) out = score − row max (per head)
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    if (s == e) continue;
    for (let h = 0; h < heads; h++) {
      const o = <usize>h << 2;
      let m = load<f32>(scores + <usize>s * h4 + o);
      for (let t = s + 1; t < e; t++) {
        const v = load<f32>(scores + <usize>t * h4 + o);
        if (v > m) m = v;
      }
      for (let t = s; t < e; t++) {
        const p = <usize>t * h4 + o;
        store<f32>(out + p, load<f32>(scores + p) - m);
      }
    }
  }
  // 2) exp over the contiguous block of this row range
  const b0 = <usize>load<i32>(indptr + (<usize>lo << 2)) * h4;
  const b1 = <usize>load<i32>(indptr + (<usize>hi << 2)) * h4;
  let p = b0;
  for (; p + 16 <= b1; p += 16) v128.store(out + p, exp4(v128.load(out + p)));
  if (p < b1) {
    const r = exp4(v128.load(out + p));
    const n = <i32>((b1 - p) >> 2);
    for (let l = 0; l < n; l++) {
      // lane by lane: the vector store would touch the next thread's entries
      if (l == 0) store<f32>(out + p, f32x4.extract_lane(r, 0));
      else if (l == 1) store<f32>(out + p + 4, f32x4.extract_lane(r, 1));
      else store<f32>(out + p + 8, f32x4.extract_lane(r, 2));
    }
  }
  // 3) normalise
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (let h = 0; h < heads; h++) {
      const o = <usize>h << 2;
      let sum: f32 = 0;
      for (let t = s; t < e; t++) sum += load<f32>(out + <usize>t * h4 + o);
      for (let t = s; t < e; t++) {
        const q = out + <usize>t * h4 + o;
        store<f32>(q, load<f32>(q) / sum);
      }
    }
  }
}

/** Rows [lo, hi): gradScores = alpha ⊙ (gradAlpha − Σ_row alpha ⊙ gradAlpha), per head. */
export function edgeSoftmaxBackward(
  lo: i32, hi: i32, indptr: usize, alpha: usize, gradAlpha: usize, heads: i32, gradScores: usize,
): void {
  const h4 = <usize>heads << 2;
  for (let i = lo; i < hi; i++) {
    const s = load<i32>(indptr + (<usize>i << 2));
    const e = load<i32>(indptr + (<usize>(i + 1) << 2));
    for (let h = 0; h < heads; h++) {
      const o = <usize>h << 2;
      let dot: f32 = 0;
      for (let t = s; t < e; t++) {
        const p = <usize>t * h4 + o;
        dot += load<f32>(alpha + p) * load<f32>(gradAlpha + p);
      }
      for (let t = s; t < e; t++) {
        const p = <usize>t * h4 + o;
        store<f32>(gradScores + p, load<f32>(alpha + p) * (load<f32>(gradAlpha + p) - dot));
      }
    }
  }
}

/** Rows [lo, hi): gradAlpha[t·H+h] = ⟨gradOut[i, h, :], x[j, h, :]⟩ (lane-wise partial sums, fixed order). */
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
      for (let h = 0; h < heads; h++) {
        const g = pg + <usize>h * f4;
        const xx = px + <usize>h * f4;
        let acc = f32x4.splat(0);
        let c = 0;
        for (; c < full; c += 4) {
          const o = <usize>c << 2;
          acc = f32x4.add(acc, f32x4.mul(v128.load(g + o), v128.load(xx + o)));
        }
        if (c < f) {
          const o = <usize>c << 2;
          acc = f32x4.add(acc, v128.and(f32x4.mul(v128.load(g + o), v128.load(xx + o)), mask));
        }
        store<f32>(gradAlpha + (<usize>(t * heads + h) << 2), hsum(acc));
      }
    }
  }
}

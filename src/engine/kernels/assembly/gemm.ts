// Dense GEMM, C (m×n) = alpha·op(A)·op(B) + beta·C, row-major. Threads split the rows of C ([lo, hi)).
// NN and NT use gemmNN on a packed op(B); TN and TT use gemmTN (A read transposed in place, B row-major k×n).
// Micro-kernels hold a 4-row × 8-column tile in eight f32x4 accumulators.

import { blendStore, hsum, hsum4, laneMask } from './simd';

/**
 * Packs op(B) (k×n) into column panels: 8 wide while 8 columns fit in npad = ceil(n/4)·4, then one 4-wide panel,
 * or, when a single column is left (n mod 4 = 1), that column alone (width 1, read by the dot-product kernels).
 * The panel starting at column j0 with width w holds bp[j0·k + p·w + jj]; columns ≥ n are zero.
 */
export function packB(b: usize, ldb: i32, transB: i32, k: i32, n: i32, bp: usize): void {
  const npad = (n + 3) & ~3;
  for (let j0 = 0; j0 < npad; ) {
    const w = j0 + 8 <= npad ? 8 : n - j0 == 1 ? 1 : 4;
    let dst = bp + (<usize>(j0 * k) << 2);
    for (let p = 0; p < k; p++) {
      for (let jj = 0; jj < w; jj++) {
        const col = j0 + jj;
        let v: f32 = 0;
        if (col < n) v = transB ? load<f32>(b + (<usize>(col * ldb + p) << 2)) : load<f32>(b + (<usize>(p * ldb + col) << 2));
        store<f32>(dst, v);
        dst += 4;
      }
    }
    j0 += w == 1 ? 4 : w;
  }
}

/** Copies op(B) (B stored n×k) into a row-major k×n matrix: the TT form runs as TN on it. */
export function transposeB(b: usize, ldb: i32, k: i32, n: i32, bt: usize): void {
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) store<f32>(bt + (<usize>(p * n + j) << 2), load<f32>(b + (<usize>(j * ldb + p) << 2)));
  }
}

@inline
function nn4x8(pa: usize, lda4: usize, pb: usize, k: i32, pc: usize, ldc4: usize, valid: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = pa, a1 = pa + lda4, a2 = pa + 2 * lda4, a3 = pa + 3 * lda4;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    pb += 32;
  }
  const v1 = valid - 4;
  blendStore(pc, c00, alpha, beta, valid);
  if (v1 > 0) blendStore(pc + 16, c01, alpha, beta, v1);
  pc += ldc4;
  blendStore(pc, c10, alpha, beta, valid);
  if (v1 > 0) blendStore(pc + 16, c11, alpha, beta, v1);
  pc += ldc4;
  blendStore(pc, c20, alpha, beta, valid);
  if (v1 > 0) blendStore(pc + 16, c21, alpha, beta, v1);
  pc += ldc4;
  blendStore(pc, c30, alpha, beta, valid);
  if (v1 > 0) blendStore(pc + 16, c31, alpha, beta, v1);
}

@inline
function nn4x4(pa: usize, lda4: usize, pb: usize, k: i32, pc: usize, ldc4: usize, valid: i32, alpha: f32, beta: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let a0 = pa, a1 = pa + lda4, a2 = pa + 2 * lda4, a3 = pa + 3 * lda4;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3), b0));
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    pb += 16;
  }
  blendStore(pc, c0, alpha, beta, valid);
  blendStore(pc + ldc4, c1, alpha, beta, valid);
  blendStore(pc + 2 * ldc4, c2, alpha, beta, valid);
  blendStore(pc + 3 * ldc4, c3, alpha, beta, valid);
}

@inline
function nn1x8(pa: usize, pb: usize, k: i32, pc: usize, valid: i32, alpha: f32, beta: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const av = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)));
    pa += 4;
    pb += 32;
  }
  blendStore(pc, c0, alpha, beta, valid);
  if (valid > 4) blendStore(pc + 16, c1, alpha, beta, valid - 4);
}

@inline
function nn1x4(pa: usize, pb: usize, k: i32, pc: usize, valid: i32, alpha: f32, beta: f32): void {
  let c0 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
    pa += 4;
    pb += 16;
  }
  blendStore(pc, c0, alpha, beta, valid);
}

/** alpha·x + beta·old for one element (the scalar twin of blendStore). */
@inline
function blendScalar(pc: usize, x: f32, alpha: f32, beta: f32): void {
  let r = x;
  if (alpha != 1) r *= alpha;
  if (beta != 0) r += load<f32>(pc) * beta;
  store<f32>(pc, r);
}

/** Lane-wise partial sums of a[p]·b[p] over p < k (the last vector masked). */
@inline
function dotLanesK(a: usize, b: usize, k: i32, full: i32, mask: v128): v128 {
  let s = f32x4.splat(0);
  let p = 0;
  for (; p < full; p += 4) {
    const o = <usize>p << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  if (p < k) {
    const o = <usize>p << 2;
    s = f32x4.add(s, v128.and(f32x4.mul(v128.load(a + o), v128.load(b + o)), mask));
  }
  return s;
}

/** 4 rows × the single trailing column: dot products vectorised over k. */
@inline
function nn4x1(pa: usize, lda4: usize, pb: usize, k: i32, pc: usize, ldc4: usize, alpha: f32, beta: f32): void {
  const full = k & ~3;
  const mask = laneMask(k - full);
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const a1 = pa + lda4, a2 = pa + 2 * lda4, a3 = pa + 3 * lda4;
  let p = 0;
  for (; p < full; p += 4) {
    const o = <usize>p << 2;
    const bv = v128.load(pb + o);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(pa + o), bv));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a1 + o), bv));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(a2 + o), bv));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(a3 + o), bv));
  }
  if (p < k) {
    const o = <usize>p << 2;
    const bv = v128.load(pb + o);
    s0 = f32x4.add(s0, v128.and(f32x4.mul(v128.load(pa + o), bv), mask));
    s1 = f32x4.add(s1, v128.and(f32x4.mul(v128.load(a1 + o), bv), mask));
    s2 = f32x4.add(s2, v128.and(f32x4.mul(v128.load(a2 + o), bv), mask));
    s3 = f32x4.add(s3, v128.and(f32x4.mul(v128.load(a3 + o), bv), mask));
  }
  const r = hsum4(s0, s1, s2, s3);
  blendScalar(pc, f32x4.extract_lane(r, 0), alpha, beta);
  blendScalar(pc + ldc4, f32x4.extract_lane(r, 1), alpha, beta);
  blendScalar(pc + 2 * ldc4, f32x4.extract_lane(r, 2), alpha, beta);
  blendScalar(pc + 3 * ldc4, f32x4.extract_lane(r, 3), alpha, beta);
}

/** Rows [lo, hi) of C = alpha·A·B + beta·C with A m×k (row stride lda) and B packed by packB. */
export function gemmNN(
  lo: i32, hi: i32, a: usize, lda: i32, bp: usize, k: i32, n: i32, c: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  const npad = (n + 3) & ~3;
  const lda4 = <usize>lda << 2;
  const ldc4 = <usize>ldc << 2;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const pa = a + <usize>i * lda4;
    const pc = c + <usize>i * ldc4;
    for (let j0 = 0; j0 < npad; ) {
      const pb = bp + (<usize>(j0 * k) << 2);
      const valid = n - j0;
      if (j0 + 8 <= npad) {
        nn4x8(pa, lda4, pb, k, pc + (<usize>j0 << 2), ldc4, valid, alpha, beta);
        j0 += 8;
      } else if (valid == 1) {
        nn4x1(pa, lda4, pb, k, pc + (<usize>j0 << 2), ldc4, alpha, beta);
        j0 += 4;
      } else {
        nn4x4(pa, lda4, pb, k, pc + (<usize>j0 << 2), ldc4, valid, alpha, beta);
        j0 += 4;
      }
    }
  }
  for (; i < hi; i++) {
    const pa = a + <usize>i * lda4;
    const pc = c + <usize>i * ldc4;
    for (let j0 = 0; j0 < npad; ) {
      const pb = bp + (<usize>(j0 * k) << 2);
      const valid = n - j0;
      if (j0 + 8 <= npad) {
        nn1x8(pa, pb, k, pc + (<usize>j0 << 2), valid, alpha, beta);
        j0 += 8;
      } else if (valid == 1) {
        const full = k & ~3;
        blendScalar(pc + (<usize>j0 << 2), hsum(dotLanesK(pa, pb, k, full, laneMask(k - full))), alpha, beta);
        j0 += 4;
      } else {
        nn1x4(pa, pb, k, pc + (<usize>j0 << 2), valid, alpha, beta);
        j0 += 4;
      }
    }
  }
}

/** Rows of the k-chunk [k0, k1) kept hot in cache by gemmTN. */
const KC: i32 = 64;

@inline
function tn4x8(pa: usize, lda4: usize, pb: usize, ldb4: usize, kc: i32, acc: usize, ldacc4: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (!first) {
    c00 = v128.load(acc);
    c01 = v128.load(acc, 16);
    c10 = v128.load(acc + ldacc4);
    c11 = v128.load(acc + ldacc4, 16);
    c20 = v128.load(acc + 2 * ldacc4);
    c21 = v128.load(acc + 2 * ldacc4, 16);
    c30 = v128.load(acc + 3 * ldacc4);
    c31 = v128.load(acc + 3 * ldacc4, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a = v128.load(pa);
    let av = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    pa += lda4;
    pb += ldb4;
  }
  v128.store(acc, c00);
  v128.store(acc, c01, 16);
  v128.store(acc + ldacc4, c10);
  v128.store(acc + ldacc4, c11, 16);
  v128.store(acc + 2 * ldacc4, c20);
  v128.store(acc + 2 * ldacc4, c21, 16);
  v128.store(acc + 3 * ldacc4, c30);
  v128.store(acc + 3 * ldacc4, c31, 16);
}

@inline
function tn4x4(pa: usize, lda4: usize, pb: usize, ldb4: usize, kc: i32, acc: usize, ldacc4: usize, first: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  if (!first) {
    c0 = v128.load(acc);
    c1 = v128.load(acc + ldacc4);
    c2 = v128.load(acc + 2 * ldacc4);
    c3 = v128.load(acc + 3 * ldacc4);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const a = v128.load(pa);
    c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(a, a, 0, 0, 0, 0), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(a, a, 1, 1, 1, 1), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(a, a, 2, 2, 2, 2), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(a, a, 3, 3, 3, 3), b0));
    pa += lda4;
    pb += ldb4;
  }
  v128.store(acc, c0);
  v128.store(acc + ldacc4, c1);
  v128.store(acc + 2 * ldacc4, c2);
  v128.store(acc + 3 * ldacc4, c3);
}

/** 4 rows × the single trailing column: one f32x4 of rows times a splat of B per step (acc lanes are rows). */
@inline
function tn4x1(pa: usize, lda4: usize, pb: usize, ldb4: usize, kc: i32, acc: usize, ldacc4: usize, first: bool): void {
  let c = f32x4.splat(0);
  if (!first) {
    c = f32x4.replace_lane(c, 0, load<f32>(acc));
    c = f32x4.replace_lane(c, 1, load<f32>(acc + ldacc4));
    c = f32x4.replace_lane(c, 2, load<f32>(acc + 2 * ldacc4));
    c = f32x4.replace_lane(c, 3, load<f32>(acc + 3 * ldacc4));
  }
  for (let p = 0; p < kc; p++) {
    c = f32x4.add(c, f32x4.mul(v128.load(pa), v128.load32_splat(pb)));
    pa += lda4;
    pb += ldb4;
  }
  store<f32>(acc, f32x4.extract_lane(c, 0));
  store<f32>(acc + ldacc4, f32x4.extract_lane(c, 1));
  store<f32>(acc + 2 * ldacc4, f32x4.extract_lane(c, 2));
  store<f32>(acc + 3 * ldacc4, f32x4.extract_lane(c, 3));
}

@inline
function tn1x8(pa: usize, lda4: usize, pb: usize, ldb4: usize, kc: i32, acc: usize, first: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (!first) {
    c0 = v128.load(acc);
    c1 = v128.load(acc, 16);
  }
  for (let p = 0; p < kc; p++) {
    const av = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)));
    pa += lda4;
    pb += ldb4;
  }
  v128.store(acc, c0);
  v128.store(acc, c1, 16);
}

@inline
function tn1x4(pa: usize, lda4: usize, pb: usize, ldb4: usize, kc: i32, acc: usize, first: bool): void {
  let c0 = f32x4.splat(0);
  if (!first) c0 = v128.load(acc);
  for (let p = 0; p < kc; p++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
    pa += lda4;
    pb += ldb4;
  }
  v128.store(acc, c0);
}

/**
 * Rows [lo, hi) of C = alpha·Aᵀ·B + beta·C, with A stored k×m (row stride lda) and B row-major k×n (row stride ldb).
 * The reduction runs in chunks of KC rows of A and B that stay in cache; partial sums live in acc (m × npad,
 * npad = ceil(n/4)·4) and continue in the same order, so chunking does not change the result.
 */
export function gemmTN(
  lo: i32, hi: i32, a: usize, lda: i32, b: usize, ldb: i32, k: i32, n: i32, acc: usize, c: usize, ldc: i32,
  alpha: f32, beta: f32,
): void {
  const npad = (n + 3) & ~3;
  const lda4 = <usize>lda << 2;
  const ldb4 = <usize>ldb << 2;
  const ldacc4 = <usize>npad << 2;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const first = k0 == 0;
    const pa0 = a + <usize>k0 * lda4;
    const pb0 = b + <usize>k0 * ldb4;
    let i = lo;
    for (; i + 4 <= hi; i += 4) {
      const pa = pa0 + (<usize>i << 2);
      const pacc = acc + <usize>i * ldacc4;
      for (let j0 = 0; j0 < npad; ) {
        if (j0 + 8 <= npad) {
          tn4x8(pa, lda4, pb0 + (<usize>j0 << 2), ldb4, kc, pacc + (<usize>j0 << 2), ldacc4, first);
          j0 += 8;
        } else if (n - j0 == 1) {
          tn4x1(pa, lda4, pb0 + (<usize>j0 << 2), ldb4, kc, pacc + (<usize>j0 << 2), ldacc4, first);
          j0 += 4;
        } else {
          tn4x4(pa, lda4, pb0 + (<usize>j0 << 2), ldb4, kc, pacc + (<usize>j0 << 2), ldacc4, first);
          j0 += 4;
        }
      }
    }
    for (; i < hi; i++) {
      const pa = pa0 + (<usize>i << 2);
      const pacc = acc + <usize>i * ldacc4;
      for (let j0 = 0; j0 < npad; ) {
        if (j0 + 8 <= npad) {
          tn1x8(pa, lda4, pb0 + (<usize>j0 << 2), ldb4, kc, pacc + (<usize>j0 << 2), first);
          j0 += 8;
        } else {
          tn1x4(pa, lda4, pb0 + (<usize>j0 << 2), ldb4, kc, pacc + (<usize>j0 << 2), first);
          j0 += 4;
        }
      }
    }
  }
  const ldc4 = <usize>ldc << 2;
  for (let i = lo; i < hi; i++) {
    const pc = c + <usize>i * ldc4;
    const pacc = acc + <usize>i * ldacc4;
    for (let j = 0; j < n; j += 4) {
      const v = k > 0 ? v128.load(pacc + (<usize>j << 2)) : f32x4.splat(0);
      blendStore(pc + (<usize>j << 2), v, alpha, beta, n - j);
    }
  }
}

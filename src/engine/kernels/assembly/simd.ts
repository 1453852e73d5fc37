// Shared SIMD helpers. Every kernel vectorises over output columns (never over the reduction), so each output
// element is one sequential f32 sum whose order does not depend on how rows are split across threads.

/** Stores the first `valid` lanes (1..4) of v at ptr. */
@inline
export function storeLanes(ptr: usize, v: v128, valid: i32): void {
  if (valid >= 4) {
    v128.store(ptr, v);
    return;
  }
  v128.store32_lane(ptr, v, 0);
  if (valid > 1) v128.store32_lane(ptr, v, 1, 4);
  if (valid > 2) v128.store32_lane(ptr, v, 2, 8);
}

/** out = alpha·v + beta·out (beta = 0 ignores the old value), first `valid` lanes. */
@inline
export function blendStore(ptr: usize, v: v128, alpha: f32, beta: f32, valid: i32): void {
  let r = v;
  if (alpha != 1) r = f32x4.mul(r, f32x4.splat(alpha));
  if (beta != 0) r = f32x4.add(r, f32x4.mul(v128.load(ptr), f32x4.splat(beta)));
  storeLanes(ptr, r, valid);
}

/** All-ones lanes for lane index < valid, zero lanes after. */
@inline
export function laneMask(valid: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(valid));
}

/** Horizontal sum in a fixed order: (l0 + l2) + (l1 + l3), the same order as hsum4. */
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
}

/** [hsum(a), hsum(b), hsum(c), hsum(d)] with shuffles (same order of additions as hsum). */
@inline
export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/**
 * exp on four lanes (Cephes expf: x = n·ln2 + r with n = round(x·log2 e), degree-6 polynomial in r, scale by 2^n
 * through the exponent bits).
 * Relative error about 2 ulp; exp(-inf) = 0, NaN stays NaN.
 */
@inline
export function exp4(x: v128): v128 {
  // pmin/pmax are single instructions (min/max need NaN fix-ups); with x first, a NaN x passes through
  x = f32x4.pmin(x, f32x4.splat(88.3762626647949));
  x = f32x4.pmax(x, f32x4.splat(-88.3762626647949));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, x), x), x), f32x4.splat(1));
  // 2^n from n via the 1.5·2^23 trick (|n| ≤ 128 here): the low mantissa bits of n + 1.5·2^23 hold n
  const n = i32x4.sub(f32x4.add(fx, f32x4.splat(12582912.0)), f32x4.splat(12582912.0));
  const e = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, e);
}

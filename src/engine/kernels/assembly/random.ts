// Counter-based dropout masks: element i's bit depends only on (seed, i), so any row split gives the same mask.

/** The 32-bit hash behind dropoutMask, four lanes at a time (murmur3 finaliser rounds over seed and index). */
@inline
function mix(z: v128): v128 {
  z = i32x4.mul(v128.xor(z, i32x4.shr_u(z, 16)), i32x4.splat(0x85ebca6b));
  z = i32x4.mul(v128.xor(z, i32x4.shr_u(z, 13)), i32x4.splat(0xc2b2ae35));
  return v128.xor(z, i32x4.shr_u(z, 16));
}

@inline
function hash4(i: v128, seedLo: i32, seedHi: i32): v128 {
  const z = mix(i32x4.add(i32x4.mul(i, i32x4.splat(0x9e3779b9)), i32x4.splat(seedLo)));
  return mix(v128.xor(z, i32x4.splat(seedHi)));
}

/** Elements [lo, hi) (lo a multiple of 16): mask[i] = hash(seed, i) ≥ threshold (unsigned) ? 1 : 0. */
export function dropoutMask(lo: i32, hi: i32, mask: usize, threshold: i32, seedLo: i32, seedHi: i32): void {
  const th = i32x4.splat(threshold);
  const one = i32x4.splat(1);
  let i = lo;
  let idx = i32x4(i, i + 1, i + 2, i + 3);
  const four = i32x4.splat(4);
  for (; i + 16 <= hi; i += 16) {
    const k0 = v128.and(i32x4.ge_u(hash4(idx, seedLo, seedHi), th), one);
    idx = i32x4.add(idx, four);
    const k1 = v128.and(i32x4.ge_u(hash4(idx, seedLo, seedHi), th), one);
    idx = i32x4.add(idx, four);
    const k2 = v128.and(i32x4.ge_u(hash4(idx, seedLo, seedHi), th), one);
    idx = i32x4.add(idx, four);
    const k3 = v128.and(i32x4.ge_u(hash4(idx, seedLo, seedHi), th), one);
    idx = i32x4.add(idx, four);
    v128.store(mask + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(k0, k1), i16x8.narrow_i32x4_u(k2, k3)));
  }
  for (; i < hi; i += 4) {
    const k = v128.and(i32x4.ge_u(hash4(idx, seedLo, seedHi), th), one);
    idx = i32x4.add(idx, four);
    const n = min(4, hi - i);
    store<u8>(mask + <usize>i, <u8>i32x4.extract_lane(k, 0));
    if (n > 1) store<u8>(mask + <usize>(i + 1), <u8>i32x4.extract_lane(k, 1));
    if (n > 2) store<u8>(mask + <usize>(i + 2), <u8>i32x4.extract_lane(k, 2));
    if (n > 3) store<u8>(mask + <usize>(i + 3), <u8>i32x4.extract_lane(k, 3));
  }
}

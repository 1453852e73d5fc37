/**
 * The counter-based hash behind `Backend.dropoutMask` (the wasm kernel in kernels/assembly/random.ts computes the
 * same bits): h(seed, i) = mix(mix(i·0x9e3779b9 + seedLo) ⊕ seedHi), with mix the murmur3 32-bit finaliser.
 * Element i is kept iff h ≥ ⌊p·2³²⌋, so a mask depends only on (seed, p, i): not on the backend, the thread count
 * or the order of generation.
 */
const TWO_POW_32 = 4294967296;

function mix(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}

/** The two 32-bit words of a seed (a non-negative integer below 2^53). */
export function seedWords(seed: number): [number, number] {
  const s = Math.floor(Math.abs(seed));
  return [(s % TWO_POW_32) | 0, Math.floor(s / TWO_POW_32) | 0];
}

/** ⌊p·2³²⌋ as a uint32 (p in [0, 1)). */
export function dropThreshold(p: number): number {
  return Math.min(TWO_POW_32 - 1, Math.floor(p * TWO_POW_32));
}

/** h(seed, i) as a uint32. */
export function dropoutHash(i: number, seedLo: number, seedHi: number): number {
  return mix(mix((Math.imul(i, 0x9e3779b9) + seedLo) | 0) ^ seedHi) >>> 0;
}

/** Plain-TS mask generation (the reference backend). */
export function dropoutMaskTs(mask: Uint8Array, p: number, seed: number): void {
  if (p >= 1) {
    mask.fill(0);
    return;
  }
  const [lo, hi] = seedWords(seed);
  const th = dropThreshold(p);
  for (let i = 0; i < mask.length; i++) mask[i] = dropoutHash(i, lo, hi) >= th ? 1 : 0;
}

/**
 * mulberry32: a small seeded PRNG returning floats in [0, 1). Not cryptographic. One copy for sweeps, benchmark
 * workloads and test fixtures, so a seed means the same stream everywhere.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

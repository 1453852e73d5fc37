/**
 * A small seeded PRNG (mulberry32) so that every sweep decision is reproducible from (sweep seed, trial index):
 * resuming a sweep or re-running a test draws the same numbers. Not cryptographic.
 */
import { mulberry32 } from '../util/random.js';
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
}

/** Mix two integers into a 32-bit seed (splitmix-style avalanche), e.g. (sweepSeed, trialIndex). */
export function mixSeed(a: number, b = 0): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul((b | 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

export function makeRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    normal() {
      let u = next();
      while (u <= Number.EPSILON) u = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
  };
}

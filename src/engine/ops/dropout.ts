/**
 * Inverted dropout: in training each element is kept with probability 1 − p and scaled by 1/(1 − p), so evaluation
 * is the identity. Each call draws a 53-bit seed from the caller's `Rng` and the backend's `dropoutMask` kernel hashes
 * (seed, index) into the mask, so a seed reproduces the same masks on every backend and thread count.
 */
import { argError } from '../check.js';
import type { Rng } from '../rng.js';
import type { Tensor } from '../tensor.js';

/** Returns x itself when not training or p = 0. p = 1 drops everything (output zeros, zero gradient). */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng): Tensor {
  if (!(p >= 0 && p <= 1)) argError('dropout p', `${p} is outside [0, 1]`, { value: p });
  if (!training || p === 0) return x;
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result(x.shape, x);
  const mask = tape.bytesScratch(x.size);
  be.dropoutMask(mask, p, maskSeed(rng));
  const s = p < 1 ? 1 / (1 - p) : 0;
  be.maskScale(x.data, mask, s, out.data);
  if (out.requiresGrad) tape.record(out, (g) => tape.gradViaTemp(x, (buf) => be.maskScale(g, mask, s, buf)));
  return out;
}

/** A seed below 2^53 from two draws (21 + 32 bits). */
function maskSeed(rng: Rng): number {
  return (rng.nextU32() >>> 11) * 4294967296 + rng.nextU32();
}

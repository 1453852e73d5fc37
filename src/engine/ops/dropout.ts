/**
 * Inverted dropout: in training each element is kept with probability 1 − p and scaled by 1/(1 − p), so evaluation
 * is the identity. The mask comes from a seeded `Rng` (one 32-bit draw per element, in storage order), so a seed
 * reproduces the same masks epoch after epoch.
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
  rng.bernoulliMask(mask, p);
  const s = p < 1 ? 1 / (1 - p) : 0;
  be.maskScale(x.data, mask, s, out.data);
  if (out.requiresGrad) tape.record(out, (g) => tape.gradViaTemp(x, (buf) => be.maskScale(g, mask, s, buf)));
  return out;
}

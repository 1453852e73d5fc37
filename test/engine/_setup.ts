/** Shared test setup for the engine: a float64 tape for gradient checks and seeded random inputs. */
import { createBackend } from '../../src/engine/backend/index.js';
import { Rng } from '../../src/engine/rng.js';
import { Tape } from '../../src/engine/tape.js';
import type { Tensor } from '../../src/engine/tensor.js';

export function f64Tape(): Tape {
  return new Tape(createBackend({ name: 'reference', dtype: 'f64' }));
}

export function f32Tape(): Tape {
  return new Tape(createBackend({ name: 'reference', dtype: 'f32' }));
}

/**
 * A trainable tensor with uniform values in [-1, 1]. With `awayFromZero`, magnitudes are at least 0.1 so finite
 * differences never straddle the kink of relu-like functions.
 */
export function randParam(tape: Tape, rng: Rng, shape: number[], awayFromZero = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = rng.uniform(-1, 1);
    if (awayFromZero) x = Math.sign(x || 1) * (0.1 + Math.abs(x));
    v[i] = x;
  }
  return tape.tensor(v, shape, { requiresGrad: true });
}

export { Rng };

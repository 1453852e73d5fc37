/**
 * Parameter initialisers for `tape.param(shape, init)`. Weight matrices are stored fan_in × fan_out (x · W).
 * All draw from a seeded `Rng`, in storage order, so a seed fixes the initial weights.
 */
import type { FArray } from './backend/types.js';
import type { Rng } from './rng.js';
import type { Shape } from './tensor.js';

export type Init = (buf: FArray, shape: Shape) => void;

/** U(−bound, bound). */
export function uniformInit(rng: Rng, bound: number): Init {
  return (buf) => {
    for (let i = 0; i < buf.length; i++) buf[i] = rng.uniform(-bound, bound);
  };
}

/** Glorot/Xavier uniform: bound = √(6 / (fan_in + fan_out)), shape [fan_in, fan_out] (PyG's default for conv weights). */
export function glorotInit(rng: Rng): Init {
  return (buf, shape) => {
    const fanIn = shape.length >= 2 ? shape[shape.length - 2] : 1;
    const fanOut = shape[shape.length - 1] ?? 1;
    uniformInit(rng, Math.sqrt(6 / (fanIn + fanOut)))(buf, shape);
  };
}

/** torch.nn.Linear's default for weight and bias: U(−1/√fan_in, 1/√fan_in). */
export function linearInit(rng: Rng, fanIn: number): Init {
  return uniformInit(rng, fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0);
}

/** Every element = value (ones for LayerNorm's gain). Zeros need no init: params start zeroed. */
export function constantInit(value: number): Init {
  return (buf) => {
    buf.fill(value);
  };
}

import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { GcnWeights } from './gcn.js';

/**
 * Symmetric per-output-column int8 quantisation of a weight matrix (row-major in × out):
 *   scale_j = max_i |W_ij| / 127,  q_ij = round(W_ij / scale_j) ∈ [-127, 127],  Ŵ_ij = q_ij · scale_j.
 * A column of zeros gets scale 1 (q = 0). The error per weight is at most scale_j / 2.
 */
export function quantizeInt8(w: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let m = 0;
    for (let i = 0; i < rows; i++) m = Math.max(m, Math.abs(w[i * cols + j]));
    scale[j] = m > 0 ? m / 127 : 1;
  }
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      q[i * cols + j] = Math.max(-127, Math.min(127, Math.round(w[i * cols + j] / scale[j])));
    }
  }
  return { q, scale };
}

/**
 * Global magnitude pruning: zero the `fraction` of weights (biases untouched) with the smallest |w| across all
 * layers. Returns new weights; ties at the threshold are pruned in order until the count is reached.
 */
export function pruneWeights(w: GcnWeights, fraction: number): GcnWeights {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `prune fraction must be in [0, 1), got ${fraction}`);
  }
  const all = w.layers.flatMap((l) => Array.from(l.weight, Math.abs));
  const k = Math.floor(all.length * fraction);
  if (k === 0) return { ...w, layers: w.layers.map((l) => ({ ...l, weight: l.weight.slice() })) };
  const threshold = Float64Array.from(all).sort()[k - 1];
  let budget = k;
  // first pass: everything strictly below the threshold; second: ties, until k weights are zero
  const layers = w.layers.map((l) => ({ ...l, weight: l.weight.slice() }));
  for (const l of layers) {
    for (let i = 0; i < l.weight.length; i++) {
      if (Math.abs(l.weight[i]) < threshold) {
        l.weight[i] = 0;
        budget--;
      }
    }
  }
  for (const l of layers) {
    for (let i = 0; i < l.weight.length && budget > 0; i++) {
      if (l.weight[i] !== 0 && Math.abs(l.weight[i]) === threshold) {
        l.weight[i] = 0;
        budget--;
      }
    }
  }
  return { ...w, layers };
}

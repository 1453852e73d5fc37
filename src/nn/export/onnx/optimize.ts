import { ErrorCodes, GnnopsError } from '../../../util/errors.js';
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
  const pruned = pruneMatrices(
    w.layers.map((l) => l.weight),
    fraction,
  );
  return { ...w, layers: w.layers.map((l, i) => ({ ...l, weight: pruned[i] })) };
}

/**
 * Global magnitude pruning of any list of weight arrays (pruneWeights for a GCN; the native checkpoints of every
 * model kind for `gnnops models optimize --prune`): exactly ⌊fraction · Σ sizes⌋ entries with the smallest |w|
 * become 0, the smallest first, ties at the threshold in array order. Returns copies; the inputs are not changed.
 */
export function pruneMatrices(mats: readonly Float32Array[], fraction: number): Float32Array[] {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `prune fraction must be in [0, 1), got ${fraction}`);
  }
  const out = mats.map((m) => m.slice());
  const total = mats.reduce((a, m) => a + m.length, 0);
  const k = Math.floor(total * fraction);
  if (k === 0) return out;
  const all = new Float64Array(total);
  let o = 0;
  for (const m of mats) for (let i = 0; i < m.length; i++) all[o++] = Math.abs(m[i]);
  const threshold = all.sort()[k - 1];
  let budget = k;
  // first pass: everything strictly below the threshold; second: ties, until k weights are zero
  for (const m of out) {
    for (let i = 0; i < m.length; i++) {
      if (Math.abs(m[i]) < threshold) {
        m[i] = 0;
        budget--;
      }
    }
  }
  for (const m of out) {
    for (let i = 0; i < m.length && budget > 0; i++) {
      if (Math.abs(m[i]) === threshold) {
        m[i] = 0;
        budget--;
      }
    }
  }
  return out;
}

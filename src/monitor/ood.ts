/**
 * Per-node out-of-distribution score: the energy of GNNSafe (Wu et al., "Energy-based Out-of-Distribution
 * Detection for Graph Neural Networks", ICLR 2023, https://arxiv.org/abs/2302.02914).
 *
 *   E(x) = −T · logsumexp(logits / T)                                  (higher = more out-of-distribution)
 *   e⁽ᵏ⁾ = α · e⁽ᵏ⁻¹⁾ + (1 − α) · Â e⁽ᵏ⁻¹⁾,  k = 1 … K,  Â = D⁻¹A      (energy belief propagation)
 *
 * Â averages a node's in-neighbours (messages flow source → target, as in the served graph); D counts them.
 * Defaults are those of the paper's reference code (qitianwu/GraphOOD-GNNSafe): T = 1, K = 2, α = 0.5. One
 * difference: a node without in-neighbours keeps its own energy in the Â term (there, D⁻¹ is set to 0, which pulls an
 * isolated node's energy towards 0 by αᴷ and makes it look out-of-distribution only for being isolated; a request
 * subgraph often has such nodes).
 */
import { dataError } from '../util/errors.js';

export interface OodOptions {
  /** Energy temperature (default 1, GNNSafe's). */
  temperature?: number;
  /** Propagation steps K (default 2; 0 = the plain energy score). */
  steps?: number;
  /** Weight α of a node's own energy in each step (default 0.5). */
  alpha?: number;
}

export const OOD_DEFAULTS = { temperature: 1, steps: 2, alpha: 0.5 } as const;

/** E = −T·logsumexp(z / T) per row of row-major n × C logits (float64 arithmetic). */
export function energyScores(logits: ArrayLike<number>, n: number, C: number, temperature = 1): Float64Array {
  if (!(temperature > 0 && Number.isFinite(temperature))) dataError('temperature', `${temperature} is not > 0`);
  if (logits.length < n * C) dataError('logits', `has ${logits.length} values, ${n} × ${C} needs ${n * C}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[i * C + c] / temperature);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[i * C + c] / temperature - m);
    out[i] = -temperature * (m + Math.log(s));
  }
  return out;
}

/**
 * K steps of e ← α·e + (1−α)·D⁻¹A e over a graph given as CSR of in-neighbours (the senders to node i are
 * indices[indptr[i] .. indptr[i+1])); duplicate entries count as often as they appear, as in GNNSafe's sparse matmul.
 */
export function propagateEnergyCsr(
  energy: ArrayLike<number>,
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  opts: OodOptions = {},
): Float64Array {
  const steps = opts.steps ?? OOD_DEFAULTS.steps;
  const alpha = opts.alpha ?? OOD_DEFAULTS.alpha;
  const n = energy.length;
  let e = Float64Array.from(energy);
  let next = new Float64Array(n);
  for (let k = 0; k < steps; k++) {
    for (let i = 0; i < n; i++) {
      const lo = indptr[i];
      const hi = indptr[i + 1];
      let mean = e[i];
      if (hi > lo) {
        let s = 0;
        for (let p = lo; p < hi; p++) s += e[indices[p]];
        mean = s / (hi - lo);
      }
      next[i] = alpha * e[i] + (1 - alpha) * mean;
    }
    [e, next] = [next, e];
  }
  return e;
}

/** The same over an edge list (messages src[k] → dst[k], n nodes): builds the in-neighbour CSR first. */
export function propagateEnergy(
  energy: ArrayLike<number>,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  opts: OodOptions = {},
): Float64Array {
  const n = energy.length;
  const indptr = new Int32Array(n + 1);
  for (let k = 0; k < dst.length; k++) indptr[dst[k] + 1]++;
  for (let i = 0; i < n; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, n);
  const indices = new Int32Array(dst.length);
  for (let k = 0; k < dst.length; k++) indices[fill[dst[k]]++] = src[k];
  return propagateEnergyCsr(energy, indptr, indices, opts);
}

/** GNNSafe's score of every node: energy of the logits, propagated over the edges. */
export function oodScores(
  logits: ArrayLike<number>,
  C: number,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  opts: OodOptions = {},
): Float64Array {
  const n = Math.floor(logits.length / C);
  return propagateEnergy(energyScores(logits, n, C, opts.temperature ?? OOD_DEFAULTS.temperature), src, dst, opts);
}

/**
 * The score of every node of a stored graph (CSR of in-neighbours) from its row-major n × C logits: what node queries
 * are served, and what a version's reference profile holds.
 */
export function graphOodScores(
  logits: ArrayLike<number>,
  n: number,
  C: number,
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  opts: OodOptions = {},
): Float64Array {
  const e = energyScores(logits, n, C, opts.temperature ?? OOD_DEFAULTS.temperature);
  return propagateEnergyCsr(e, indptr, indices, opts);
}

/**
 * Area under the ROC curve of `positive` against `negative` scores (positives expected higher): the probability
 * that a random positive scores above a random negative, ties counting one half (the Mann–Whitney U statistic).
 */
export function auroc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const all = [
    ...Array.from(positive, (v) => ({ v, pos: true })),
    ...Array.from(negative, (v) => ({ v, pos: false })),
  ].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const mid = (i + 1 + j) / 2; // mean 1-based rank of the tie group
    for (let k = i; k < j; k++) if (all[k].pos) rankSum += mid;
    i = j;
  }
  const p = positive.length;
  const q = negative.length;
  if (p === 0 || q === 0) dataError('auroc', 'needs at least one positive and one negative score');
  return (rankSum - (p * (p + 1)) / 2) / (p * q);
}

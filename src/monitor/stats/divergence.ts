/**
 * Distribution distances on binned or categorical proportions: Jensen–Shannon distance and the population
 * stability index, with Evidently's zero handling.
 */

/**
 * Replace empty bins by a small positive share, as Evidently's get_binned_data(feel_zeroes=True): the smallest
 * non-zero share / 1e6 when that share is ≤ 1e-4, otherwise 1e-4. Returns a new array (not renormalised, as Evidently).
 */
export function fillZeroes(p: ArrayLike<number>): Float64Array {
  let minNz = Number.POSITIVE_INFINITY;
  for (let i = 0; i < p.length; i++) if (p[i] > 0 && p[i] < minNz) minNz = p[i];
  const fill = minNz <= 1e-4 ? minNz / 1e6 : 1e-4;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] === 0 ? fill : p[i];
  return out;
}

/**
 * Jensen–Shannon distance, as scipy.spatial.distance.jensenshannon (natural log): inputs are normalised to sum 1,
 * m = (p + q) / 2, JS = sqrt((KL(p‖m) + KL(q‖m)) / 2). Range [0, sqrt(ln 2) ≈ 0.8326]. Evidently: drift at ≥ 0.1.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = 0.5 * (a + b);
    if (a > 0) kl += a * Math.log(a / m);
    if (b > 0) kl += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, kl / 2));
}

/** Population stability index Σ (r − c) · ln(r / c) over bins; inputs must have no zeros (see fillZeroes). */
export function populationStabilityIndex(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  let psi = 0;
  for (let i = 0; i < ref.length; i++) psi += (ref[i] - cur[i]) * Math.log(ref[i] / cur[i]);
  return psi;
}

import { gammaQ } from './gamma.js';

/** Survival function of the chi-square distribution: P(X ≥ x) = Q(df/2, x/2). */
export function chiSquareSf(x: number, df: number): number {
  if (df <= 0) return Number.NaN;
  return gammaQ(df / 2, x / 2);
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

/**
 * Pearson's goodness-of-fit test, as scipy.stats.chisquare(f_obs, f_exp): statistic Σ (o − e)² / e with
 * df = k − 1. A category with e = 0 and o > 0 gives an infinite statistic (p = 0); e = o = 0 contributes nothing.
 */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i];
    const e = expected[i];
    if (e === 0) {
      if (o !== 0) stat = Number.POSITIVE_INFINITY;
      continue;
    }
    stat += ((o - e) * (o - e)) / e;
  }
  const df = observed.length - 1;
  const pValue = df < 1 ? 1 : stat === Number.POSITIVE_INFINITY ? 0 : chiSquareSf(stat, df);
  return { statistic: stat, df, pValue };
}

/**
 * Evidently's chi-square drift test on category counts: expected = reference counts × (n_current / n_reference),
 * over the union of categories seen in either sample; drift when p < threshold (0.05).
 */
export function chiSquareDrift(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): ChiSquareResult {
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < refCounts.length; i++) nRef += refCounts[i];
  for (let i = 0; i < curCounts.length; i++) nCur += curCounts[i];
  const obs: number[] = [];
  const exp: number[] = [];
  const k = nCur / nRef;
  for (let i = 0; i < refCounts.length; i++) {
    if (refCounts[i] === 0 && curCounts[i] === 0) continue; // not a category of either sample
    obs.push(curCounts[i]);
    exp.push(refCounts[i] * k);
  }
  return chiSquareTest(obs, exp);
}

/**
 * Wasserstein-1 (earth mover's) distance between two empirical distributions on the line:
 * W1 = ∫ |F(x) − G(x)| dx, computed by one merge of the sorted samples. Matches scipy.stats.wasserstein_distance.
 */
export function wasserstein1Sorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let prev = Math.min(a[0], b[0]);
  let total = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n - j / m) * (x - prev);
    prev = x;
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
  }
  return total;
}

/** Population standard deviation (ddof = 0), as numpy.std, which Evidently uses to normalise Wasserstein. */
export function populationStd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) * (x[i] - mean);
  return Math.sqrt(ss / x.length);
}

/**
 * Evidently's normalised Wasserstein: W1 / max(std_ref, 0.001), drift at ≥ 0.1
 * (evidently/calculations/stattests/wasserstein_distance_norm.py).
 */
export function normalisedWasserstein(w1: number, refStd: number): number {
  return w1 / Math.max(refStd, 0.001);
}

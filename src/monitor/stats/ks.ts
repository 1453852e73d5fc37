import { kolmogorovNSf } from './kolmogorov.js';

/** Two-sample KS statistic D = sup |F_a − F_b| for sorted samples (ties handled by stepping past equal values). */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
}

export type KsMethod = 'auto' | 'exact' | 'asymp';

/**
 * With 'auto', the exact lattice-path p-value is used while n·m stays within this budget (≈ 0.7 ms per column at
 * worst), else 'asymp'. scipy's 'auto' goes exact up to max(n, m) = 10,000, which costs seconds over 300 columns;
 * at n = m = 1000 the two differ by ~0.002 near p = 0.05 (0.0546 exact vs 0.0524 asymptotic at D = 0.06).
 */
export const KS_EXACT_BUDGET = 100_000;

/**
 * Two-sided p-value of the two-sample KS statistic d for sample sizes n and m.
 * - 'asymp' (scipy.stats.ks_2samp method='asymp'): P(D_{N} ≥ d) of the one-sample distribution with the effective
 *   size N = round(n·m / (n + m)).
 * - 'exact': probability that a uniformly random merge order (lattice path) reaches |i/n − j/m| ≥ d (Hodges 1957).
 */
export function ksPValue(d: number, n: number, m: number, method: KsMethod = 'auto'): number {
  if (n < 1 || m < 1) return Number.NaN;
  const useExact = method === 'exact' || (method === 'auto' && n * m <= KS_EXACT_BUDGET);
  if (useExact) return ksExactSf(d, n, m);
  const en = Math.round((n * m) / (n + m));
  return kolmogorovNSf(Math.max(1, en), d);
}

/**
 * Exact P(D ≥ d): walks the (n+1)×(m+1) lattice with the probability that a random path, still strictly inside
 * |i·m − j·n| < c where c = d·n·m, reaches (i, j). Steps right with chance (n − i)/(n + m − i − j). Only the band
 * of each row inside the boundary is visited, so the cost is O(n·m·min(1, 2d)).
 */
export function ksExactSf(d: number, n: number, m: number): number {
  if (d <= 0) return 1;
  // D is a multiple of 1/lcm(n, m), so d·n·m is an integer up to rounding noise.
  const c = Math.round(d * n * m);
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  prev[0] = 1;
  for (let j = 1; j <= m; j++) prev[j] = j * n < c ? prev[j - 1] * ((m - j + 1) / (n + m - j + 1)) : 0;
  for (let i = 1; i <= n; i++) {
    // Row i's band: i·m − c < j·n < i·m + c. Bands move right as i grows, so entries right of the previous
    // row's band were never written (still 0) and entries left of this band are never read.
    const jlo = Math.max(0, Math.floor((i * m - c) / n) + 1);
    const jhi = Math.min(m, Math.ceil((i * m + c) / n) - 1);
    let left = 0; // cur[jlo − 1] is outside the band
    for (let j = jlo; j <= jhi; j++) {
      const rest = n + m - i - j + 1; // items left before the last step
      const p = prev[j] * ((n - i + 1) / rest) + (j > 0 ? left * ((m - j + 1) / rest) : 0);
      cur[j] = p;
      left = p;
    }
    if (i === n) return Math.min(1, Math.max(0, 1 - (jhi === m ? cur[m] : 0)));
    [prev, cur] = [cur, prev];
  }
  return Math.min(1, Math.max(0, 1 - prev[m])); // n = 0 is rejected by the caller; kept for completeness
}

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

/** With 'auto', the exact lattice-path p-value is used while n·m stays within this budget, else 'asymp'. */
export const KS_EXACT_BUDGET = 1_000_000;

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
 * |i·m − j·n| < c where c = d·n·m, reaches (i, j). Steps right with chance (n − i)/(n + m − i − j). O(n·m).
 */
export function ksExactSf(d: number, n: number, m: number): number {
  if (d <= 0) return 1;
  // D is a multiple of 1/lcm(n, m), so d·n·m is an integer up to rounding noise.
  const c = Math.round(d * n * m);
  const inside = (i: number, j: number) => Math.abs(i * m - j * n) < c;
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  prev[0] = 1;
  for (let j = 1; j <= m; j++) prev[j] = inside(0, j) ? prev[j - 1] * ((m - j + 1) / (n + m - j + 1)) : 0;
  for (let i = 1; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (!inside(i, j)) {
        cur[j] = 0;
        continue;
      }
      const rest = n + m - i - j + 1; // items left before the last step
      let p = prev[j] * ((n - i + 1) / rest);
      if (j > 0) p += cur[j - 1] * ((m - j + 1) / rest);
      cur[j] = p;
    }
    [prev, cur] = [cur, prev];
  }
  return Math.min(1, Math.max(0, 1 - prev[m]));
}

/**
 * Summary statistics over splits/seeds: mean, sample standard deviation (n − 1), and the 95% confidence interval
 * half-width of the mean with Student's t: t_{0.975, n−1} · s / √n (the WikiCS paper reports mean ± 95% CI).
 */

export function mean(v: readonly number[]): number {
  if (v.length === 0) return Number.NaN;
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/** Sample standard deviation; 0 for a single value. */
export function std(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) * (x - m);
  return Math.sqrt(s / (v.length - 1));
}

export function median(v: readonly number[]): number {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Two-sided 97.5% quantiles of Student's t for df = 1..30 (standard tables); beyond, the normal 1.96 + a 1/df term. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[df - 1];
  // Cornish–Fisher style expansion: accurate to ~1e-3 for df > 30.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** Half-width of the 95% CI of the mean; 0 for one value (no spread can be estimated; reported as such). */
export function ci95(v: readonly number[]): number {
  if (v.length < 2) return 0;
  return (tQuantile975(v.length - 1) * std(v)) / Math.sqrt(v.length);
}

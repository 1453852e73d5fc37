import { normalSf } from './gamma.js';

/**
 * Two-proportion z-test for a binary column (Evidently's default when a column has ≤ 2 values and the reference
 * ≤ 1000 rows): z = (p₁ − p₂) / sqrt(p(1 − p)(1/n₁ + 1/n₂)) with the pooled share p; two-sided p = 2·P(Z > |z|).
 * `k1`, `k2`: counts of one chosen category; `n1`, `n2`: sample sizes. Identical constant samples give p = 1.
 */
export function proportionZTest(k1: number, n1: number, k2: number, n2: number): { z: number; pValue: number } {
  const p = (k1 + k2) / (n1 + n2);
  if (p === 0 || p === 1) return { z: 0, pValue: 1 };
  const z = (k1 / n1 - k2 / n2) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return { z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

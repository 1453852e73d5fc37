import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ksExactSf, ksPValue, ksStatisticSorted } from '../../../src/monitor/stats/ks.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Gnedenko–Korolyuk: for equal sizes n, P(D ≥ k/n) = 2 Σ_{j≥1} (−1)^{j−1} C(2n, n − jk) / C(2n, n). */
function gnedenkoKorolyuk(n: number, k: number): number {
  let s = 0;
  for (let j = 1; n - j * k >= 0; j++) s += (j % 2 === 1 ? 1 : -1) * binom(2 * n, n - j * k);
  return (2 * s) / binom(2 * n, n);
}

describe('two-sample KS statistic', () => {
  it('is the largest ECDF gap, with ties stepped together', () => {
    assert.equal(ksStatisticSorted([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(ksStatisticSorted([0, 1], [2, 3]), 1);
    // ECDFs at 1: 2/3 vs 0 → D = 2/3
    close(ksStatisticSorted([1, 1, 2], [2, 3]), 2 / 3, 1e-15, 'ties');
  });
});

describe('exact two-sample p-value', () => {
  it('counts lattice paths: n = m = 2 gives P(D ≥ 1) = 2/6 by enumeration', () => {
    close(ksExactSf(1, 2, 2), 1 / 3, 1e-15, 'D=1');
    close(ksExactSf(0.5, 2, 2), 1, 1e-15, 'D=1/2');
  });

  it('matches the Gnedenko–Korolyuk closed form for equal sample sizes', () => {
    for (const n of [3, 10, 50]) {
      for (let k = 1; k <= n; k += Math.max(1, Math.floor(n / 7))) {
        close(ksExactSf(k / n, n, n), gnedenkoKorolyuk(n, k), 1e-12, `n=${n} k=${k}`);
      }
    }
  });

  it('matches scipy.stats.ks_2samp on unequal samples, exact and asymp (scipy 1.17.1)', () => {
    const a = [
      0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28,
      2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47,
    ].sort((x, y) => x - y);
    const b = [
      2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52,
      -0.71,
    ].sort((x, y) => x - y);
    const d = ksStatisticSorted(a, b);
    close(d, 0.23, 1e-12, 'statistic');
    close(ksPValue(d, 25, 20, 'exact'), 0.5286364448145011, 1e-10, 'exact');
    close(ksPValue(d, 25, 20, 'asymp'), 0.5318713439638902, 1e-10, 'asymp');
  });

  it("'auto' switches from exact to asymptotic above the n·m budget, where the two agree closely", () => {
    const d = 0.05;
    const exact = ksPValue(d, 1000, 1200, 'exact');
    const asymp = ksPValue(d, 1000, 1200, 'asymp');
    assert.equal(ksPValue(d, 1000, 1200, 'auto'), asymp);
    close(exact, asymp, 0.01, 'large-sample agreement');
    assert.equal(ksPValue(d, 100, 100, 'auto'), ksPValue(d, 100, 100, 'exact'));
  });
});

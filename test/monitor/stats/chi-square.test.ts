import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareDrift, chiSquareSf, chiSquareTest } from '../../../src/monitor/stats/chi-square.js';
import { gammaP, gammaQ, logGamma, normalSf } from '../../../src/monitor/stats/gamma.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('gamma functions', () => {
  it('logGamma gives ln((n−1)!) and ln √π', () => {
    close(logGamma(1), 0, 1e-13, 'Γ(1)');
    close(logGamma(5), Math.log(24), 1e-13, 'Γ(5)');
    close(logGamma(11), Math.log(3628800), 1e-12, 'Γ(11)');
    close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13, 'Γ(1/2)');
  });

  it('P(1, x) = 1 − e^(−x), and P + Q = 1', () => {
    for (const x of [0.1, 1, 3, 10]) {
      close(gammaP(1, x), 1 - Math.exp(-x), 1e-14, `P(1,${x})`);
      close(gammaP(3.5, x) + gammaQ(3.5, x), 1, 1e-14, 'sum');
    }
  });

  it('normal tail: P(Z > 0) = 1/2 and P(Z > 1.959964) = 0.025', () => {
    close(normalSf(0), 0.5, 1e-15, '0');
    close(normalSf(1.959964), 0.025, 1e-7, '1.96');
    close(normalSf(-1.959964), 0.975, 1e-7, '-1.96');
  });
});

describe('chi-square distribution', () => {
  it('df = 2 has survival e^(−x/2), derived by hand', () => {
    for (const x of [0.5, 2, 7, 30]) close(chiSquareSf(x, 2), Math.exp(-x / 2), 1e-14, `x=${x}`);
  });

  it('reproduces the printed table of upper critical values', () => {
    // [critical value, df, upper tail], from the standard chi-square table (3-decimal rounding)
    const table: [number, number, number][] = [
      [3.841, 1, 0.05],
      [5.991, 2, 0.05],
      [11.07, 5, 0.05],
      [15.086, 5, 0.01],
      [18.307, 10, 0.05],
      [43.773, 30, 0.05],
      [124.342, 100, 0.05],
    ];
    for (const [x, df, p] of table) close(chiSquareSf(x, df), p, 2e-4, `χ²(${df}) at ${x}`);
  });

  it('goodness of fit of a die: 6.72 on 5 df, p = 0.2423 (as scipy.stats.chisquare)', () => {
    const r = chiSquareTest([22, 21, 22, 27, 22, 36], [25, 25, 25, 25, 25, 25]);
    close(r.statistic, 6.72, 1e-12, 'statistic');
    assert.equal(r.df, 5);
    close(r.pValue, 0.24231086039631416, 1e-10, 'p');
  });

  it('drift form scales reference counts to the current size and skips categories absent from both', () => {
    // Reference 200 rows [100, 60, 40, 0], current 100 rows [50, 30, 20, 0]: same shares → statistic 0, p = 1.
    const same = chiSquareDrift([100, 60, 40, 0], [50, 30, 20, 0]);
    assert.equal(same.statistic, 0);
    assert.equal(same.df, 2);
    assert.equal(same.pValue, 1);
    // A category new in current (expected 0) is infinitely surprising.
    assert.equal(chiSquareDrift([10, 10, 0], [10, 9, 1]).pValue, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kolmogorovDurbinCdf,
  kolmogorovNSf,
  kolmogorovPelzGoodCdf,
  kolmogorovSf,
  smirnovSf,
} from '../../../src/monitor/stats/kolmogorov.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('limiting Kolmogorov distribution', () => {
  it('gives the textbook critical values of sqrt(n)·D (1.224, 1.358, 1.628 for α = 0.10, 0.05, 0.01)', () => {
    close(kolmogorovSf(1.224), 0.1, 5e-4, 'α=0.10');
    close(kolmogorovSf(1.358), 0.05, 5e-4, 'α=0.05');
    close(kolmogorovSf(1.628), 0.01, 5e-4, 'α=0.01');
  });

  it('matches scipy.stats.kstwobign.sf on both of its series (values from scipy 1.17.1)', () => {
    const ref: [number, number][] = [
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1, 0.26999967167735456],
      [2, 0.0006709252557796953],
    ];
    for (const [z, p] of ref) close(kolmogorovSf(z), p, 1e-12, `z=${z}`);
    assert.equal(kolmogorovSf(0), 1);
  });
});

describe('finite-n Kolmogorov distribution P(D_n ≥ d)', () => {
  it('is 2(1 − d) for n = 1 (D_1 = max(U, 1 − U)), derived by hand', () => {
    for (const d of [0.55, 0.7, 0.9]) close(kolmogorovNSf(1, d), 2 * (1 - d), 1e-12, `d=${d}`);
  });

  it('follows Ruben–Gambino n!/nⁿ (2nd − 1)ⁿ below d = 1/n', () => {
    const n = 5;
    const d = 0.15; // nd = 0.75
    const cdf = ((1 * 2 * 3 * 4 * 5) / 5 ** 5) * (2 * n * d - 1) ** n;
    close(kolmogorovNSf(n, d), 1 - cdf, 1e-12, 'n=5');
  });

  it('matches scipy.stats.kstwo.sf in every regime: Durbin matrix, Pelz–Good, Smirnov tail', () => {
    // [n, d, scipy 1.17.1 kstwo.sf(d, n)]
    const ref: [number, number, number][] = [
      [10, 0.3, 0.27053557479999946],
      [50, 0.2, 0.03143877776953241],
      [100, 0.1, 0.2526927570063874],
      [141, 0.1, 0.11128445516467944],
      [200, 0.09, 0.07358925139953587],
      [500, 0.06, 0.05243463489026223],
      [833, 0.047, 0.04883845351242777],
      [833, 0.03, 0.43315637107284544],
      [1000, 0.01, 0.9999496745370611],
      [3000, 0.02, 0.17889813623188966],
      [5000, 0.019, 0.05341472616091414],
      [50000, 0.006, 0.05442749636006261],
      [200000, 0.003, 0.0545369786611305],
      [20, 0.6, 2.0483011649719853e-7],
      [1000, 0.06, 0.001428597887952891],
      [300, 0.12, 0.0003195501384250739],
    ];
    for (const [n, d, p] of ref) close(kolmogorovNSf(n, d), p, Math.max(1e-11, p * 1e-9), `n=${n} d=${d}`);
  });

  it('Durbin matrix and Pelz–Good agree where both are valid, and approach the limit as n grows', () => {
    const n = 2000;
    const d = 1.1 / Math.sqrt(n);
    close(kolmogorovDurbinCdf(n, d), kolmogorovPelzGoodCdf(n, d), 1e-8, 'n=2000');
    close(1 - kolmogorovDurbinCdf(n, d), kolmogorovSf(1.1), 0.01, 'near the limit');
  });

  it('one-sided Smirnov tail is about half the two-sided tail far out', () => {
    const n = 400;
    const d = 0.1;
    close(2 * smirnovSf(n, d), kolmogorovNSf(n, d), 1e-6, 'tail');
  });
});

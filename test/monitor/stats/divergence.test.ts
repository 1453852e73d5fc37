import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillZeroes, jensenShannonDistance, populationStabilityIndex } from '../../../src/monitor/stats/divergence.js';
import { normalisedWasserstein, populationStd, wasserstein1Sorted } from '../../../src/monitor/stats/wasserstein.js';
import { proportionZTest } from '../../../src/monitor/stats/z-test.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('Wasserstein-1', () => {
  it('between point masses is the distance between them', () => {
    assert.equal(wasserstein1Sorted([0], [3]), 3);
    assert.equal(wasserstein1Sorted([2, 2, 2], [-1]), 3);
  });

  it('of a shifted sample is the shift, whatever the sample', () => {
    const a = [-1.5, -0.2, 0, 0.3, 0.3, 2.5, 7];
    for (const c of [0.01, 0.5, 4])
      close(
        wasserstein1Sorted(
          a,
          a.map((v) => v + c),
        ),
        c,
        1e-12,
        `shift ${c}`,
      );
  });

  it('between U{0..n−1}/n and the same grid shifted by half a step is half a step', () => {
    const n = 100;
    const a = Array.from({ length: n }, (_, i) => i / n);
    close(
      wasserstein1Sorted(
        a,
        a.map((v) => v + 0.5 / n),
      ),
      0.5 / n,
      1e-12,
      'grid',
    );
  });

  it('matches the scipy documentation example [0, 1, 3] vs [5, 6, 8] = 5', () => {
    close(wasserstein1Sorted([0, 1, 3], [5, 6, 8]), 5, 1e-12, 'scipy doc');
    // {0, 1} vs {0, 0}: half of the mass moves by 1.
    close(wasserstein1Sorted([0, 1], [0, 0]), 0.5, 1e-15, 'two points');
  });

  it('is normalised by the population std of the reference, floored at 0.001 (Evidently)', () => {
    const ref = [1, 2, 3, 4];
    const std = populationStd(ref); // sqrt(1.25)
    close(std, Math.sqrt(1.25), 1e-15, 'std');
    close(
      normalisedWasserstein(
        wasserstein1Sorted(
          ref,
          ref.map((v) => v + 0.1 * std),
        ),
        std,
      ),
      0.1,
      1e-12,
      'norm',
    );
    assert.equal(normalisedWasserstein(0.01, 0), 10);
  });
});

describe('Jensen–Shannon distance (natural log, as scipy)', () => {
  it('is 0 for equal and sqrt(ln 2) for disjoint distributions', () => {
    assert.equal(jensenShannonDistance([0.2, 0.8], [2, 8]), 0);
    close(jensenShannonDistance([1, 0, 0], [0, 1, 0]), Math.sqrt(Math.LN2), 1e-15, 'disjoint');
  });

  it('is 0.464501 for [1, 0] vs [½, ½], derived by hand', () => {
    // m = [¾, ¼]; KL(p‖m) = ln(4/3); KL(q‖m) = ½ ln(2/3) + ½ ln 2; JS = sqrt(mean of the two)
    const byHand = Math.sqrt((Math.log(4 / 3) + 0.5 * Math.log(2 / 3) + 0.5 * Math.log(2)) / 2);
    close(jensenShannonDistance([1, 0], [0.5, 0.5]), byHand, 1e-15, 'hand');
    close(byHand, 0.464501404022459, 1e-12, 'scipy');
  });
});

describe('PSI and empty bins', () => {
  it('is ¼ ln 2 + ¼ ln(3/2) for [½, ½] → [¼, ¾], by hand', () => {
    close(populationStabilityIndex([0.5, 0.5], [0.25, 0.75]), 0.25 * Math.log(2) + 0.25 * Math.log(1.5), 1e-15, 'psi');
    assert.equal(populationStabilityIndex([0.3, 0.7], [0.3, 0.7]), 0);
  });

  it("fills empty bins with 1e-4, or min/1e6 when the smallest share is ≤ 1e-4 (Evidently's feel_zeroes)", () => {
    assert.deepEqual(Array.from(fillZeroes([0.5, 0, 0.5])), [0.5, 1e-4, 0.5]);
    const small = fillZeroes([0.99995, 0, 0.00005]);
    close(small[1], 5e-11, 1e-24, 'tiny');
  });
});

describe('two-proportion z-test', () => {
  it('30/100 vs 50/100 gives z = −2.8868, p = 0.003892 (by hand, as scipy norm)', () => {
    const r = proportionZTest(30, 100, 50, 100);
    close(r.z, -0.2 / Math.sqrt(0.4 * 0.6 * 0.02), 1e-12, 'z');
    close(r.pValue, 0.003892417122778628, 1e-9, 'p');
    assert.equal(proportionZTest(0, 10, 0, 20).pValue, 1);
  });
});

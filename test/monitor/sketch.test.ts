import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSketch,
  compareSketch,
  equalWidthEdges,
  sketchBinShares,
  sketchCdf,
  sketchCdfLeft,
  sketchQuantile,
  sortedBinShares,
} from '../../src/monitor/sketch.js';
import { ksStatisticSorted } from '../../src/monitor/stats/ks.js';
import { populationStd, wasserstein1Sorted } from '../../src/monitor/stats/wasserstein.js';
import { applyDrift, makeRng, syntheticWindow } from '../../src/monitor/synthetic.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

function column(features: Float32Array, rows: number, cols: number, c: number): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => features[r * cols + c]).sort();
}

describe('exact sketches (≤ Q + 1 distinct values)', () => {
  it('reproduce KS and Wasserstein of the raw samples exactly, ties included', () => {
    const rng = makeRng(5);
    for (let trial = 0; trial < 20; trial++) {
      // Integer-valued samples make ties everywhere: the hardest case for step-function bookkeeping.
      const ref = Float64Array.from({ length: 50 + trial * 40 }, () => Math.floor(rng() * 30)).sort();
      const cur = Float64Array.from({ length: 30 + trial * 20 }, () => Math.floor(rng() * 30 + trial / 4)).sort();
      const s = buildSketch(ref);
      assert.equal(s.kind, 'exact');
      const c = compareSketch(s, cur);
      close(c.ks, ksStatisticSorted(ref, cur), 1e-12, `ks trial ${trial}`);
      close(c.w1, wasserstein1Sorted(ref, cur), 1e-9, `w1 trial ${trial}`);
    }
  });

  it('keep n, mean, population std, min, max and the CDF both sides of a jump', () => {
    const s = buildSketch([1, 2, 2, 2, 5]);
    assert.deepEqual([s.n, s.min, s.max, s.distinct], [5, 1, 5, 3]);
    close(s.mean, 2.4, 1e-15, 'mean');
    close(s.std, populationStd([1, 2, 2, 2, 5]), 1e-15, 'std');
    assert.equal(sketchCdfLeft(s, 2), 0.2);
    assert.equal(sketchCdf(s, 2), 0.8);
    assert.equal(sketchCdf(s, 4.9), 0.8);
    assert.equal(sketchQuantile(s, 0.5), 2);
  });
});

describe('quantile sketches (1001 knots) against exact computation on the raw reference', () => {
  // WikiCS-shaped reference (11,701 × 300 features): the approximation error the profile documents.
  const ref = syntheticWindow({ rows: 11701, cols: 12, seed: 1 });
  const cur = syntheticWindow({ rows: 5000, cols: 12, seed: 2 });
  const shifted = applyDrift(cur, { shift: 0.15, noise: 0.3 });

  it('KS within 2/Q and normalised Wasserstein within 0.002 of exact, clean and drifted', () => {
    let worstKs = 0;
    let worstW = 0;
    for (const win of [cur, shifted]) {
      for (let c = 0; c < ref.cols; c++) {
        const r = column(ref.features, ref.rows, ref.cols, c);
        const x = column(win.features, win.rows, win.cols, c);
        const s = buildSketch(r);
        assert.equal(s.kind, 'quantile');
        const approx = compareSketch(s, x);
        worstKs = Math.max(worstKs, Math.abs(approx.ks - ksStatisticSorted(r, x)));
        worstW = Math.max(worstW, Math.abs(approx.w1 - wasserstein1Sorted(r, x)) / s.std);
      }
    }
    assert.ok(worstKs <= 2 / 1000, `worst KS error ${worstKs}`);
    assert.ok(worstW <= 0.002, `worst normalised W1 error ${worstW}`);
  });

  it('bin shares match np.histogram of the raw reference within 2/Q per bin', () => {
    const r = column(ref.features, ref.rows, ref.cols, 3);
    const s = buildSketch(r);
    const edges = equalWidthEdges(s.min - 0.1, s.max, 30);
    const approx = sketchBinShares(s, edges);
    const exact = sortedBinShares(r, edges);
    let sum = 0;
    for (let i = 0; i < 30; i++) {
      close(approx[i], exact[i], 2 / 1000, `bin ${i}`);
      sum += exact[i];
    }
    close(sum, 1, 1e-12, 'all rows binned');
  });

  it('quantiles are numpy linear quantiles of the raw column', () => {
    const r = column(ref.features, ref.rows, ref.cols, 0);
    const s = buildSketch(r);
    const h = (r.length - 1) * 0.25;
    close(
      sketchQuantile(s, 0.25),
      r[Math.floor(h)] + (h - Math.floor(h)) * (r[Math.floor(h) + 1] - r[Math.floor(h)]),
      1e-12,
      'q25',
    );
    assert.equal(sketchQuantile(s, 0), r[0]);
    assert.equal(sketchQuantile(s, 1), r[r.length - 1]);
  });
});

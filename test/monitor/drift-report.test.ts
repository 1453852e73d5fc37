import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftReport, rankFeatures, summarizeDrift } from '../../src/monitor/drift-report.js';
import { computeProfile } from '../../src/monitor/profile.js';
import { applyDrift, sampleRows, syntheticWindow } from '../../src/monitor/synthetic.js';
import { GnnopsError } from '../../src/util/errors.js';

// A WikiCS-shaped reference with fewer columns keeps the test quick; the 300-column case is bench/drift.ts.
const ref = syntheticWindow({ rows: 11701, cols: 20, seed: 1 });
const profile = computeProfile(ref.features, ref.rows, ref.cols, {
  predictions: ref.predictions,
  numClasses: 10,
  degrees: ref.degrees,
  subgraphSizes: ref.subgraphSizes,
});

describe('driftReport on a large reference (Wasserstein / Jensen–Shannon defaults)', () => {
  it('finds no drift in windows sampled from the reference', () => {
    for (const seed of [1, 2, 3]) {
      const r = driftReport(profile, sampleRows(ref, 5000, seed));
      assert.equal(r.dataset.drifted, false);
      assert.equal(r.dataset.driftedFeatures, 0);
      assert.ok(r.features.every((f) => f.test === 'wasserstein' && f.threshold === 0.1));
      assert.equal(r.predictions?.test, 'jensenshannon');
      assert.equal(r.predictions?.drifted, false);
      assert.equal(r.structure.degrees?.drifted, false);
    }
  });

  it('detects a feature shift, a class-mix change and a degree change, each in its own section', () => {
    const clean = sampleRows(ref, 5000, 9);
    const shifted = driftReport(profile, applyDrift(clean, { shift: 0.3, fraction: 0.6 }));
    assert.equal(shifted.dataset.drifted, true);
    assert.equal(shifted.dataset.driftedFeatures, 12);
    assert.ok(shifted.features.slice(0, 12).every((f) => f.drifted));
    assert.ok(shifted.features.slice(12).every((f) => !f.drifted));
    assert.equal(shifted.predictions?.drifted, false);

    const mix = driftReport(profile, applyDrift(clean, { classMix: 0.4, toClass: 0 }));
    assert.equal(mix.dataset.drifted, false);
    assert.equal(mix.predictions?.drifted, true);
    assert.ok((mix.predictions?.curShares[0] ?? 0) > 0.4);

    const deg = driftReport(profile, applyDrift(clean, { degreeScale: 2 }));
    assert.equal(deg.structure.degrees?.drifted, true);
    assert.equal(deg.structure.subgraphSizes?.drifted, true);
    assert.equal(deg.dataset.drifted, false);
  });

  it('honours the share threshold: 30% drifted columns is drift at 0.25, not at 0.5', () => {
    const w = applyDrift(sampleRows(ref, 5000, 4), { shift: 0.5, fraction: 0.3 });
    assert.equal(driftReport(profile, w).dataset.drifted, false);
    const r = driftReport(profile, w, { shareThreshold: 0.25 });
    assert.equal(r.dataset.drifted, true);
    assert.equal(r.dataset.share, 0.3);
  });

  it('adds noise detection through PSI when asked, with 30 bins and threshold 0.1', () => {
    const noisy = applyDrift(sampleRows(ref, 5000, 5), { noise: 1 });
    const r = driftReport(profile, noisy, { method: 'psi' });
    assert.ok(r.features.every((f) => f.test === 'psi' && f.threshold === 0.1));
    assert.equal(r.dataset.drifted, true);
    assert.equal(r.options.psiBins, 30);
  });

  it('ranks drifted features first and summarises for /v1/drift', () => {
    const r = driftReport(profile, applyDrift(sampleRows(ref, 3000, 6), { shift: 0.4, fraction: 0.25 }));
    const ranked = rankFeatures(r.features);
    assert.ok(ranked.slice(0, 5).every((f) => f.drifted));
    assert.ok(ranked.slice(5).every((f) => !f.drifted));
    const s = summarizeDrift(r);
    assert.equal(s.driftedFeatures, 5);
    assert.equal(s.topFeatures.length, 5);
    assert.equal(typeof s.predictionDriftScore, 'number');
  });

  it('carries reference-vs-current histograms with shares summing to ≤ 1', () => {
    const r = driftReport(profile, sampleRows(ref, 2000, 7), { histBins: 12 });
    const h = r.features[0].hist!;
    assert.equal(h.edges.length, 13);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    assert.ok(sum(h.ref) > 0.95 && sum(h.ref) <= 1.000001);
    assert.ok(sum(h.cur) > 0.95 && sum(h.cur) <= 1.000001);
  });
});

describe('driftReport on a small reference (KS / chi-square / z defaults)', () => {
  const small = sampleRows(ref, 800, 11);
  const smallProfile = computeProfile(small.features, small.rows, small.cols, {
    predictions: small.predictions,
    numClasses: 10,
  });

  it('uses KS p < 0.05 for features and chi-square for predictions', () => {
    const r = driftReport(smallProfile, sampleRows(ref, 600, 12));
    assert.ok(r.features.every((f) => f.test === 'ks' && f.threshold === 0.05));
    assert.equal(r.predictions?.test, 'chisquare');
    assert.equal(r.dataset.drifted, false);
    const shifted = driftReport(smallProfile, applyDrift(sampleRows(ref, 600, 12), { shift: 0.4 }));
    assert.ok(shifted.features.every((f) => f.drifted && f.score < 0.05));
  });

  it('uses chi-square for a numeric column with 3–5 values and the z-test for a binary one', () => {
    const rows = 500;
    const f = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      f[r * 2] = r % 4; // 4 values
      f[r * 2 + 1] = r % 2; // binary
    }
    const p = computeProfile(f, rows, 2);
    const cur = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      cur[r * 2] = r % 5 === 0 ? 3 : r % 4;
      cur[r * 2 + 1] = r % 3 === 0 ? 1 : 0;
    }
    const rep = driftReport(p, { features: cur, rows, cols: 2 });
    assert.equal(rep.features[0].test, 'chisquare');
    assert.equal(rep.features[1].test, 'z');
    assert.equal(rep.features[1].drifted, true); // 50% ones → 33% ones
  });
});

describe('driftReport input checks', () => {
  it('names the mismatched field', () => {
    assert.throws(
      () => driftReport(profile, { features: new Float32Array(30), rows: 3, cols: 10 }),
      (e: unknown) => e instanceof GnnopsError && /current\.cols/.test(e.message),
    );
    assert.throws(
      () => driftReport(profile, { features: new Float32Array(20), rows: 1, cols: 20, predictions: [12] }),
      (e: unknown) => e instanceof GnnopsError && /predictions\[0\]/.test(e.message),
    );
    assert.throws(
      () => driftReport(profile, { features: new Float32Array(20), rows: 1, cols: 20 }, { shareThreshold: 0 }),
      /shareThreshold/,
    );
  });
});

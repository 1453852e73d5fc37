import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftReport } from '../../src/monitor/drift-report.js';
import { histogramSparkline, renderDriftHtml } from '../../src/monitor/html-report.js';
import { computeProfile } from '../../src/monitor/profile.js';
import { applyDrift, sampleRows, syntheticWindow } from '../../src/monitor/synthetic.js';

const ref = syntheticWindow({ rows: 3000, cols: 10, seed: 1 });
const profile = computeProfile(ref.features, ref.rows, ref.cols, {
  predictions: ref.predictions,
  numClasses: 10,
  degrees: ref.degrees,
  subgraphSizes: ref.subgraphSizes,
  featureNames: Array.from({ length: 10 }, (_, i) => (i === 7 ? 'dim<7>&"x"' : `dim${i}`)),
  meta: { dataset: 'synthetic-wikics', model: 'gcn' },
});
// Columns 6..9 shift: they must be listed first, and the name with markup must be escaped.
const window = applyDrift(sampleRows(ref, 1500, 2), { shift: 0.5, fraction: 1, classMix: 0.3, toClass: 1 });
const partial = { ...window, features: Float32Array.from(sampleRows(ref, 1500, 2).features) };
for (let r = 0; r < 1500; r++) for (let c = 6; c < 10; c++) partial.features[r * 10 + c] = window.features[r * 10 + c];
const report = driftReport(profile, partial);
const html = renderDriftHtml(report);

describe('renderDriftHtml', () => {
  it('is one self-contained document: no external src/href/url(), no scripts', () => {
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /url\(\s*["']?https?:/i);
    assert.doesNotMatch(html, /<script|<link\b|@import/i);
    assert.match(html, /<style>/);
  });

  it('has the summary, prediction and structure sections, with the dataset verdict', () => {
    for (const h of ['Summary', 'Features', 'Prediction drift', 'Graph-structure drift'])
      assert.ok(html.includes(`<h2>${h}</h2>`));
    assert.equal(report.dataset.driftedFeatures, 4);
    assert.match(html, /4 of 10 features drifted/);
    assert.match(html, /dataset: synthetic-wikics/);
    assert.match(html, /Predicted class shares/); // the bar chart of src/charts/svg.ts
  });

  it('lists drifted features first, each with test, score, threshold and an inline histogram', () => {
    const firstTable = html.slice(html.indexOf('<h2>Features</h2>'), html.indexOf('<details'));
    const rows = [...firstTable.matchAll(/<tr class="drifted"><td>([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.equal(rows.length, 4);
    assert.deepEqual([...rows].sort(), ['dim6', 'dim8', 'dim9', 'dim&#60;7&#62;&#38;&#34;x&#34;'].sort());
    assert.match(firstTable, /Wasserstein distance \(normed\)/);
    assert.match(firstTable, /≥ 0\.1/);
    assert.equal((firstTable.match(/<svg class="spark"/g) ?? []).length, 4);
    assert.ok(!html.includes('dim<7>'), 'feature names are escaped');
    assert.match(html, /6 features without drift/);
  });
});

describe('histogramSparkline', () => {
  it('draws one current bar per bin and a reference outline, scaled to the peak share', () => {
    const svg = histogramSparkline({ edges: [0, 1, 2, 3], ref: [0.2, 0.5, 0.3], cur: [0.1, 0.1, 0.8] }, 90, 30);
    assert.equal((svg.match(/<rect /g) ?? []).length, 3);
    // The tallest current bar (0.8 = the peak) spans the full drawable height: y = 30 − 1 − 27 = 2.
    assert.match(svg, /y="2\.0"/);
    assert.match(svg, /<path d="M0 29/);
  });
});

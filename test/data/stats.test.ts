import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePlanetoid } from '../../src/data/datasets/planetoid.js';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import { graphStats, summarize } from '../../src/data/stats.js';
import { statsCharts, writeStatsReport } from '../../src/data/stats-charts.js';
import { generateSynthetic, type WikiCSJson } from '../../src/data/synth.js';
import { coraJsonPath, coraMissing, readCoraFiles } from './shared-data.js';

/** Same 4-node graph as the WikiCS parser test: 0↔1, 0→2, 1→2, 2→3, 3→3. */
const tiny = (): WikiCSJson => ({
  features: [
    [1, 0],
    [0, 1],
    [0.5, 0.5],
    [-1, 2],
  ],
  labels: [0, 1, 1, 2],
  links: [[1, 2], [0, 2], [3], [3]],
  train_masks: [[true, false, false, false]],
  val_masks: [[false, true, false, false]],
  stopping_masks: [[false, false, true, false]],
  test_mask: [false, false, false, true],
});
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≠ ${b}`);

describe('graph statistics on a hand-checked 4-node graph', () => {
  it('undirected: edges, degrees, histogram', () => {
    const s = graphStats(wikicsFromJson(tiny()));
    assert.deepEqual(s.edges, {
      entries: 9,
      undirected: 4,
      reciprocity: 1,
      selfLoops: 1,
      rawLinkEntries: 6,
      isolatedNodes: 0,
    });
    assert.deepEqual(
      { min: s.degree.min, median: s.degree.median, mean: s.degree.mean, max: s.degree.max },
      { min: 1, median: 2, mean: 2, max: 3 },
    );
    assert.deepEqual(s.degree.histogram, { edges: [1, 2, 4], counts: [1, 3], zero: 0 });
  });

  it('homophily: edge, per class, node, class-insensitive', () => {
    const h = graphStats(wikicsFromJson(tiny())).homophily;
    close(h.edge, 2 / 8, 'edge');
    assert.deepEqual(
      h.perClass.map((p) => p.homophily),
      [0, 0.4, 0],
    );
    assert.deepEqual(
      h.perClass.map((p) => p.entries),
      [2, 5, 1],
    );
    close(h.node, (0 + 0.5 + 1 / 3 + 0) / 4, 'node');
    close(h.classInsensitive, 0);
  });

  it('directed: pairs counted once, reciprocity, in-degree, isolated only without in- and out-links', () => {
    const s = graphStats(wikicsFromJson(tiny(), { undirected: false }));
    assert.equal(s.edges.entries, 6);
    assert.equal(s.edges.undirected, 4);
    close(s.edges.reciprocity, 2 / 5);
    assert.equal(s.edges.isolatedNodes, 0);
    assert.equal(s.degree.histogram.zero, 1);
    assert.deepEqual(s.degree.inDegree, { min: 1, median: 1, mean: 5 / 4, max: 2 });
  });

  it('features and splits', () => {
    const s = graphStats(wikicsFromJson(tiny()));
    close(s.featureSummary.mean, 0.5);
    close(s.featureSummary.density, 6 / 8);
    assert.equal(s.featureSummary.binary, false);
    assert.equal(s.featureSummary.zeroRows, 0);
    assert.deepEqual(s.labels, { counts: [1, 2, 1], unlabeled: 0 });
    assert.deepEqual(s.splits.train.perClassMean, [1, 0, 0]);
    assert.deepEqual(s.splits.test, { size: 1, perClass: [0, 0, 1] });
    assert.equal(s.splits.testOverlap, 0);
  });

  it('summarize gives min/median/mean/max', () => {
    assert.deepEqual(summarize([5, 1, 3, 2]), { min: 1, median: 2.5, mean: 2.75, max: 5 });
    assert.deepEqual(summarize([]), { min: 0, median: 0, mean: 0, max: 0 });
  });
});

describe('graph statistics on Cora', { skip: coraMissing }, () => {
  it('gives the documented counts, and the homophily computed independently from cora.json', () => {
    const s = graphStats(parsePlanetoid('cora', readCoraFiles()));
    assert.equal(s.nodes, 2708);
    assert.equal(s.edges.undirected, 5278);
    assert.equal(s.edges.entries, 10556);
    assert.equal(s.edges.isolatedNodes, 0);
    assert.equal(s.classes, 7);
    assert.deepEqual(s.labels.counts, [351, 217, 418, 818, 426, 298, 180]);
    assert.equal(s.splits.train.size.mean, 140);
    assert.equal(s.splits.val.size.mean, 500);
    assert.equal(s.splits.test.size, 1000);
    assert.equal(s.featureSummary.binary, true);
    const ref = JSON.parse(readFileSync(coraJsonPath, 'utf8')) as { labels: number[]; edges: [number, number][] };
    const same = ref.edges.filter(([u, v]) => ref.labels[u] === ref.labels[v]).length;
    close(s.homophily.edge, same / ref.edges.length, 'edge homophily');
  });
});

describe('stats charts', () => {
  it('draws the three charts with class names and split series, and writes the report', () => {
    const g = wikicsFromJson(generateSynthetic({ nodes: 300, features: 4, seed: 1 }), {
      metadata: { classNames: Array.from({ length: 10 }, (_, i) => `Topic ${i}`) },
    });
    const s = graphStats(g);
    const charts = statsCharts(s);
    assert.deepEqual(Object.keys(charts).sort(), ['class-distribution', 'degree-histogram', 'homophily-per-class']);
    assert.match(charts['class-distribution'], /Topic 9/);
    assert.match(charts['class-distribution'], /stopping \(mean of 20 splits\)/);
    assert.match(charts['degree-histogram'], /\(synthetic\)/);
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-stats-'));
    const r = writeStatsReport(s, dir);
    for (const f of r.files) assert.ok(existsSync(f), f);
    assert.ok(r.files.some((f) => f.endsWith('degree-histogram.svg')));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')).edges, s.edges);
  });
});

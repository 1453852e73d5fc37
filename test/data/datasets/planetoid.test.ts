import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePlanetoid } from '../../../src/data/datasets/planetoid.js';
import { numEdgeEntries } from '../../../src/data/graph.js';
import { normalizeFeatures } from '../../../src/data/transforms.js';
import { csrPickle, graphPickle, oneHotPickle } from '../pickle-writer.js';
import { coraJsonPath, coraMissing, readCoraFiles } from '../shared-data.js';

interface CoraJson {
  num_nodes: number;
  num_features: number;
  num_classes: number;
  features: number[][];
  labels: number[];
  edges: [number, number][];
  split: { train: number[]; val: number[]; test: number[] };
}

const maskIds = (m: Uint8Array) => [...m.keys()].filter((i) => m[i] === 1);

describe('Planetoid Cora, cross-checked against converted/cora.json', { skip: coraMissing }, () => {
  const g = coraMissing ? undefined : parsePlanetoid('cora', readCoraFiles());
  const ref = coraMissing ? undefined : (JSON.parse(readFileSync(coraJsonPath, 'utf8')) as CoraJson);

  it('has the documented sizes', () => {
    assert.ok(g && ref);
    assert.equal(g.numNodes, 2708);
    assert.equal(g.numFeatures, 1433);
    assert.equal(g.numClasses, 7);
    assert.equal(numEdgeEntries(g), 2 * 5278);
    assert.equal(g.selfLoops, 0);
    assert.equal(g.undirected, true);
  });

  it('features equal the JSON column lists row by row', () => {
    assert.ok(g && ref);
    for (let i = 0; i < g.numNodes; i++) {
      const row = g.features.subarray(i * g.numFeatures, (i + 1) * g.numFeatures);
      const cols = [...row.keys()].filter((j) => row[j] !== 0);
      assert.deepEqual(cols, ref.features[i], `node ${i}`);
      assert.ok(cols.every((j) => row[j] === 1));
    }
  });

  it('labels equal the JSON labels, with the documented class counts', () => {
    assert.ok(g && ref);
    assert.deepEqual([...g.labels], ref.labels);
    const counts = new Array(7).fill(0);
    for (const l of g.labels) counts[l]++;
    assert.deepEqual(counts, [351, 217, 418, 818, 426, 298, 180]);
  });

  it('adjacency equals the JSON undirected edge list, symmetric and sorted', () => {
    assert.ok(g && ref);
    const mine: string[] = [];
    for (let u = 0; u < g.numNodes; u++) {
      for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) {
        const v = g.indices[k];
        if (k > g.indptr[u]) assert.ok(v > g.indices[k - 1], `row ${u} sorted and unique`);
        if (u < v) mine.push(`${u},${v}`);
      }
    }
    const theirs = ref.edges.map(([u, v]) => `${u},${v}`);
    assert.deepEqual(mine.sort(), theirs.sort());
  });

  it('gives the standard split 140/500/1000, 20 train nodes per class', () => {
    assert.ok(g && ref);
    assert.equal(g.splits.length, 1);
    assert.deepEqual(maskIds(g.splits[0].train), ref.split.train);
    assert.deepEqual(maskIds(g.splits[0].val), ref.split.val);
    assert.deepEqual(maskIds(g.testMask), ref.split.test);
    const perClass = new Array(7).fill(0);
    for (const i of maskIds(g.splits[0].train)) perClass[g.labels[i]]++;
    assert.deepEqual(perClass, new Array(7).fill(20));
    assert.equal(g.stoppingMask, 'val');
  });

  it('keeps raw directed entries with undirected=false (10858 with the 302 duplicates)', () => {
    const d = parsePlanetoid('cora', readCoraFiles(), { undirected: false });
    assert.equal(numEdgeEntries(d), 10858);
    assert.notEqual(d.hash, g?.hash, 'a different graph is a different dataset version');
  });

  it('row-normalisation makes each non-empty row sum to 1 and changes the hash', () => {
    assert.ok(g);
    const n = normalizeFeatures(g);
    for (let i = 0; i < n.numNodes; i += 97) {
      const s = n.features.subarray(i * n.numFeatures, (i + 1) * n.numFeatures).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(s - 1) < 1e-5, `row ${i} sums to ${s}`);
    }
    assert.notEqual(n.hash, g.hash);
    assert.equal(parsePlanetoid('cora', readCoraFiles()).hash, g.hash, 'hash is deterministic');
  });

  it('rejects files that do not belong together, naming the file', () => {
    const files = readCoraFiles();
    assert.throws(
      () => parsePlanetoid('cora', { ...files, tx: files.x }),
      /ind\.cora\.tx: tx\/ty have 140\/1000 rows for 1000 test ids/,
    );
    const badIndex = new TextEncoder().encode('1708\nabc\n');
    assert.throws(
      () => parsePlanetoid('cora', { ...files, 'test.index': badIndex }),
      /ind\.cora\.test\.index:2: "abc"/,
    );
  });
});

describe('Planetoid assembly with CiteSeer-style gaps in the test ids (generated pickles)', () => {
  // 503 allx rows (2 train + 500 val + 1), test ids 506, 503, 505: id 504 has no row in tx, like CiteSeer's
  // isolated test nodes. allx row i: 1 at column i%3, class i%2. tx row j: 2 at column j%3, class 1 - j%2.
  const F = 3;
  const allxRows = 503;
  const testIndex = [506, 503, 505];
  const dense = (rows: number, v: number) =>
    Array.from({ length: rows * F }, (_, k) => (k % F === Math.floor(k / F) % F ? v : 0));
  const allLabels = Array.from({ length: allxRows }, (_, i) => i % 2);
  const n = 507;
  const adj = Array.from({ length: n }, (_, i) => (i === 504 ? [] : [(i + 1) % n === 504 ? 505 : (i + 1) % n]));
  const files = {
    x: csrPickle(2, F, dense(2, 1)),
    y: oneHotPickle(allLabels.slice(0, 2), 2),
    allx: csrPickle(allxRows, F, dense(allxRows, 1)),
    ally: oneHotPickle(allLabels, 2),
    tx: csrPickle(3, F, dense(3, 2)),
    ty: oneHotPickle([1, 0, 1], 2),
    graph: graphPickle(adj),
    'test.index': new TextEncoder().encode(`${testIndex.join('\n')}\n`),
  };
  const g = parsePlanetoid('citeseer', files);

  it('extends the id range to max(test.index) and leaves the missing node empty and unlabelled', () => {
    assert.equal(g.numNodes, 507);
    assert.deepEqual([...g.features.subarray(504 * F, 505 * F)], [0, 0, 0]);
    assert.equal(g.labels[504], -1);
    assert.deepEqual(maskIds(g.testMask), [503, 505, 506]);
  });

  it('node test.index[j] takes row j of tx/ty', () => {
    assert.deepEqual([...g.features.subarray(506 * F, 507 * F)], [2, 0, 0]);
    assert.deepEqual([...g.features.subarray(503 * F, 504 * F)], [0, 2, 0]);
    assert.deepEqual([...g.features.subarray(505 * F, 506 * F)], [0, 0, 2]);
    assert.deepEqual([g.labels[506], g.labels[503], g.labels[505]], [1, 0, 1]);
    assert.deepEqual([...g.features.subarray(7 * F, 8 * F)], [0, 1, 0], 'allx rows keep their ids');
  });

  it('keeps the standard split sizes and the isolated node has no edges', () => {
    assert.equal(maskIds(g.splits[0].train).length, 2);
    assert.deepEqual(
      maskIds(g.splits[0].val),
      Array.from({ length: 500 }, (_, i) => i + 2),
    );
    assert.equal(g.indptr[505] - g.indptr[504], 0);
    assert.equal(numEdgeEntries(g), 2 * 506);
  });
});

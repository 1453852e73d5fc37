import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { neighbourhood, searchTitles } from '../../../src/serve/dashboard/neighbourhood.js';
import { pca2 } from '../../../src/serve/dashboard/projection.js';
import { histogramQuantile } from '../../../src/serve/dashboard/traffic.js';

/** Undirected CSR from an edge list (both directions, rows sorted). */
function csr(n: number, edges: [number, number][]) {
  const rows: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    rows[a].push(b);
    rows[b].push(a);
  }
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  rows.forEach((r, i) => {
    indices.push(...r.sort((x, y) => x - y));
    indptr[i + 1] = indices.length;
  });
  return { numNodes: n, indptr, indices: Int32Array.from(indices) };
}

describe('dashboard: neighbourhood', () => {
  // 0 is the hub of 1, 2, 3; 1–4, 2–5, 4–6 (6 is three hops from 0); 3–3 a self-loop
  const g = csr(7, [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 4],
    [2, 5],
    [4, 6],
    [3, 3],
  ]);

  it('returns the k-hop ball breadth first with its induced edges', () => {
    const one = neighbourhood(g, 0, 1, 100);
    assert.deepEqual(one.nodes, [0, 1, 2, 3]);
    assert.deepEqual([...one.hop], [0, 1, 1, 1]);
    assert.deepEqual(one.edges, [
      [0, 1],
      [0, 2],
      [0, 3],
    ]); // the self-loop is dropped
    assert.equal(one.truncated, false);
    const two = neighbourhood(g, 0, 2, 100);
    assert.deepEqual(two.nodes, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...two.hop], [0, 1, 1, 1, 2, 2]);
    assert.equal(two.edges.length, 5);
    assert.ok(!two.nodes.includes(6), 'node 6 is three hops away');
  });

  it('caps the node count, keeping nearer nodes first, and says how big the ball was', () => {
    const capped = neighbourhood(g, 0, 2, 3);
    assert.deepEqual(capped.nodes, [0, 1, 2]);
    assert.equal(capped.truncated, true);
    assert.equal(capped.ballSize, 6);
    assert.deepEqual(capped.edges, [
      [0, 1],
      [0, 2],
    ]);
  });

  it('title search: prefix matches before substring matches, case-insensitive, limited', () => {
    const titles = ['Graph theory', 'Spectral graph', '', 'graphs and trees', 'Trees'];
    assert.deepEqual(searchTitles(titles, 'GRAPH', 10), [0, 3, 1]);
    assert.deepEqual(searchTitles(titles, 'graph', 2), [0, 3]);
    assert.deepEqual(searchTitles(titles, '  ', 10), []);
  });
});

describe('dashboard: PCA projection', () => {
  it('finds the direction of the largest variance and its share', () => {
    // points t·(1, 2, 0) + small noise along (0, 0, 1): the first component is (1, 2, 0)/√5
    const rows = 200;
    const x = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      const t = i / rows - 0.5;
      x[i * 3] = t;
      x[i * 3 + 1] = 2 * t;
      x[i * 3 + 2] = 0.01 * Math.sin(i * 1.7);
    }
    const p = pca2(x, rows, 3);
    assert.ok(p.explained[0] > 0.999, `first share ${p.explained[0]}`);
    assert.ok(p.explained[1] < 0.001);
    // coordinate 0 of each point = its projection on (1,2,0)/√5 after centring: t·√5 (sign fixed positive)
    for (const i of [0, 57, 199]) {
      const t = i / rows - 0.5 - -0.0025; // minus the mean of t over the rows (-1/(2·rows))
      assert.ok(
        Math.abs(p.coords[2 * i] - t * Math.sqrt(5)) < 1e-4,
        `row ${i}: ${p.coords[2 * i]} vs ${t * Math.sqrt(5)}`,
      );
    }
  });
});

describe('dashboard: latency quantiles from histogram deltas', () => {
  const le = (pairs: [number, number][]) => new Map(pairs);
  it('interpolates inside the bucket of the rank, as histogram_quantile does', () => {
    const prev = le([
      [0.01, 10],
      [0.1, 10],
      [1, 10],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    // 100 new observations: 50 ≤ 10 ms, 40 in (10, 100] ms, 10 in (100 ms, 1 s]
    const cur = le([
      [0.01, 60],
      [0.1, 100],
      [1, 110],
      [Number.POSITIVE_INFINITY, 110],
    ]);
    assert.equal(histogramQuantile(0.5, cur, prev), 0.01); // rank 50: the top of the first bucket
    assert.ok(Math.abs((histogramQuantile(0.7, cur, prev) ?? 0) - (0.01 + 0.09 * (20 / 40))) < 1e-12);
    assert.ok(Math.abs((histogramQuantile(0.95, cur, prev) ?? 0) - (0.1 + 0.9 * (5 / 10))) < 1e-12);
    assert.equal(histogramQuantile(0.5, prev, prev), null, 'no new observations');
  });
});

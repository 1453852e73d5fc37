import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCsr, createBackend, gcnAdjacency, structureFromEdges } from '../../src/engine/index.js';

describe('edge list → CSR', () => {
  const src = Int32Array.from([0, 2, 1, 0, 2, 1]);
  const dst = Int32Array.from([1, 0, 2, 1, 2, 0]);

  it('directed: rows are sources, sorted, duplicates and self-loops kept as given', () => {
    const c = buildCsr(3, src, dst, src.length, false);
    assert.deepEqual([...c.indptr], [0, 2, 4, 6]);
    assert.deepEqual([...c.indices], [1, 1, 0, 2, 0, 2]);
    assert.equal(c.selfLoops, 1);
    assert.equal(c.undirected, false);
  });

  it('undirected: each edge both ways, duplicates merged (to_undirected + coalesce)', () => {
    const c = buildCsr(3, src, dst, src.length, true);
    assert.deepEqual([...c.indptr], [0, 2, 4, 7]);
    assert.deepEqual([...c.indices], [1, 2, 0, 2, 0, 1, 2]);
    assert.equal(c.selfLoops, 1);
  });

  it('reads only the first `count` edges', () => {
    const c = buildCsr(3, src, dst, 2, false);
    assert.deepEqual([...c.indptr], [0, 1, 1, 2]);
    assert.deepEqual([...c.indices], [1, 0]);
  });

  it('structureFromEdges: row i lists the sources flowing into i, and the GCN adjacency merges and normalises it', () => {
    const s = structureFromEdges(3, src, dst);
    assert.equal(s.numNodes, 3);
    assert.deepEqual([...s.indptr], [0, 2, 4, 6]);
    assert.deepEqual([...s.indices], [1, 2, 0, 0, 1, 2]);
    const be = createBackend({ name: 'reference', dtype: 'f64' });
    const adj = gcnAdjacency(be, s);
    // merged duplicates plus one self-loop per node: in-degrees 3, 2, 2; entries are deg_i^-½ deg_j^-½.
    assert.deepEqual([...adj.a.indptr], [0, 3, 5, 7]);
    assert.deepEqual([...adj.a.indices], [0, 1, 2, 0, 1, 1, 2]);
    const r6 = 1 / Math.sqrt(6);
    const want = [1 / 3, r6, r6, r6, 1 / 2, 1 / 2, 1 / 2];
    const got = [...(adj.a.values ?? [])];
    assert.equal(got.length, want.length);
    got.forEach((v, k) => {
      assert.ok(Math.abs(v - want[k]) < 1e-12, `entry ${k}: ${v} vs ${want[k]}`);
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attentionGraph, gcnAdjacency, meanAdjacency, transposeCsr } from '../../src/engine/adjacency.js';
import { createBackend } from '../../src/engine/backend/index.js';
import type { Csr } from '../../src/engine/backend/types.js';
import { csrFromLists, randomGraph } from './_graphs.js';

const be = createBackend({ name: 'reference', dtype: 'f64' });

function dense(a: Csr): number[][] {
  const d = Array.from({ length: a.rows }, () => new Array<number>(a.cols).fill(0));
  for (let i = 0; i < a.rows; i++) {
    for (let e = a.indptr[i]; e < a.indptr[i + 1]; e++) d[i][a.indices[e]] += a.values ? a.values[e] : 1;
  }
  return d;
}

function close(a: number[][], b: number[][]): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i].length; j++)
      assert.ok(Math.abs(a[i][j] - b[i][j]) < 1e-12, `[${i},${j}]: ${a[i][j]} vs ${b[i][j]}`);
  }
}

describe('adjacency builders', () => {
  // Path 0-1-2 with a duplicated entry (0→1 twice) and a raw self-loop on 2: both must be normalised away.
  const path = csrFromLists([
    [1, 1],
    [2, 0],
    [1, 2],
  ]);

  it('gcnAdjacency is D^-1/2 (A+I) D^-1/2 with duplicates and raw self-loops removed', () => {
    const { a, t } = gcnAdjacency(be, path);
    const s6 = 1 / Math.sqrt(6);
    const expected = [
      [1 / 2, s6, 0],
      [s6, 1 / 3, s6],
      [0, s6, 1 / 2],
    ];
    close(dense(a), expected);
    close(dense(t), expected);
    assert.deepEqual([...a.indices], [0, 1, 0, 1, 2, 1, 2]);
  });

  it('gcnAdjacency without self-loops normalises by the plain degree', () => {
    const { a } = gcnAdjacency(be, path, { selfLoops: false });
    const s2 = 1 / Math.sqrt(2);
    close(dense(a), [
      [0, s2, 0],
      [s2, 0, s2],
      [0, s2, 0],
    ]);
  });

  it('the transpose of a directed operator is exact', () => {
    // 0 → 1 only (row 1 lists 0): the normalised matrix is not symmetric.
    const g = csrFromLists([[], [0], []]);
    const { a, t } = gcnAdjacency(be, g);
    const da = dense(a);
    const dt = dense(t);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.equal(dt[j][i], da[i][j]);
    assert.notEqual(da[1][0], da[0][1]);
  });

  it('meanAdjacency averages over neighbours; isolated nodes get a zero row', () => {
    const g = csrFromLists([[1, 2], [0], [0], []]);
    const { a } = meanAdjacency(be, g);
    close(dense(a), [
      [0, 0.5, 0.5, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('transposeCsr on a random graph: perm maps transposed entries back to the same (row, col) pair', () => {
    const g = randomGraph(40, 5, 3);
    const a: Csr = { rows: 40, cols: 40, indptr: g.indptr, indices: g.indices, values: null };
    const { t, perm } = transposeCsr(be, a);
    const rowOf = new Int32Array(g.indices.length);
    for (let i = 0; i < 40; i++) for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) rowOf[e] = i;
    for (let j = 0; j < 40; j++) {
      for (let k = t.indptr[j]; k < t.indptr[j + 1]; k++) {
        assert.equal(g.indices[perm[k]], j);
        assert.equal(rowOf[perm[k]], t.indices[k]);
      }
    }
    assert.deepEqual(
      [...perm].sort((x, y) => x - y),
      Array.from({ length: perm.length }, (_, i) => i),
    );
  });

  it('attentionGraph adds one self-loop per node and keeps sorted rows', () => {
    const ag = attentionGraph(be, path);
    assert.deepEqual([...ag.indptr], [0, 2, 5, 7]);
    assert.deepEqual([...ag.indices], [0, 1, 0, 1, 2, 1, 2]);
    assert.equal(ag.perm.length, 7);
  });

  it('rejects out-of-range neighbours naming the entry', () => {
    const bad = csrFromLists([[1], [5]]);
    assert.throws(() => gcnAdjacency(be, bad), /graph\.indices: \[1\] = 5 is outside 0\.\.1/);
  });
});

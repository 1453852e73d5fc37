import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrDegrees, khopSizes } from '../../src/monitor/graph-stats.js';

// Path 0–1–2–3 plus an isolated node 4, undirected CSR.
const indptr = Int32Array.from([0, 1, 3, 5, 6, 6]);
const indices = Int32Array.from([1, 0, 2, 1, 3, 2]);

describe('graph structure statistics', () => {
  it('degrees are CSR row lengths', () => {
    assert.deepEqual(Array.from(csrDegrees(indptr)), [1, 2, 2, 1, 0]);
  });

  it('k-hop sizes count each node within k edges once, itself included', () => {
    assert.deepEqual(Array.from(khopSizes(indptr, indices, 0)), [1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(khopSizes(indptr, indices, 1)), [2, 3, 3, 2, 1]);
    assert.deepEqual(Array.from(khopSizes(indptr, indices, 2)), [3, 4, 4, 3, 1]);
    assert.deepEqual(Array.from(khopSizes(indptr, indices, 5)), [4, 4, 4, 4, 1]);
  });

  it('sampling measures evenly spaced roots', () => {
    assert.deepEqual(Array.from(khopSizes(indptr, indices, 1, 2)), [2, 3]); // roots 0 and floor(2.5) = 2
  });
});

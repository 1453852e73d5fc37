import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcnAdjacency, meanAdjacency } from '../../../src/engine/adjacency.js';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { spmm } from '../../../src/engine/ops/sparse.js';
import { csrFromLists, randomGraph } from '../_graphs.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('spmm', () => {
  it('aggregates neighbours with the operator weights', () => {
    const tape = f64Tape();
    const adj = meanAdjacency(tape.backend, csrFromLists([[1, 2], [0], []]));
    const x = tape.tensor([1, 10, 2, 20, 3, 30], [3, 2]);
    assert.deepEqual([...spmm(adj, x).data], [2.5, 25, 1, 10, 0, 0]);
  });

  it('gradients (through the precomputed transpose) match finite differences, symmetric and directed', () => {
    for (const g of [randomGraph(12, 3, 1), csrFromLists([[1, 2], [2], [], [0, 1, 2]])]) {
      const tape = f64Tape();
      for (const adj of [gcnAdjacency(tape.backend, g), meanAdjacency(tape.backend, g)]) {
        const x = randParam(tape, new Rng(4), [g.numNodes, 3]);
        const r = gradcheck(tape, () => spmm(adj, x), [x]);
        assert.ok(r.ok, JSON.stringify(r));
      }
    }
  });

  it('rejects a feature matrix with the wrong row count', () => {
    const tape = f64Tape();
    const adj = gcnAdjacency(tape.backend, csrFromLists([[1], [0]]));
    assert.throws(() => spmm(adj, tape.zeros([3, 2])), /has 3 rows, the operator has 2 columns/);
  });
});

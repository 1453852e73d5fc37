import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attentionGraph } from '../../../src/engine/adjacency.js';
import { gradcheck } from '../../../src/engine/gradcheck.js';
import { edgeAggregate, edgeScore, edgeSoftmax, headDot } from '../../../src/engine/ops/attention.js';
import { csrFromLists, randomGraph } from '../_graphs.js';
import { f64Tape, Rng, randParam } from '../_setup.js';

describe('attention edge ops', () => {
  it('compute a hand-checked single-head example', () => {
    const tape = f64Tape();
    // Node 0 receives from 0 (self-loop) and 1; node 1 from 0 and 1.
    const g = attentionGraph(tape.backend, csrFromLists([[1], [0]]));
    const src = tape.tensor([1, -3], [2, 1]);
    const dst = tape.tensor([0.5, 0], [2, 1]);
    const e = edgeScore(g, src, dst, 0.2);
    // row 0: sources 0, 1 → 1.5, lrelu(-2.5) = -0.5; row 1: sources 0, 1 → 1, lrelu(-3) = -0.6.
    assert.deepEqual(
      [...e.data].map((v) => Number(v.toFixed(12))),
      [1.5, -0.5, 1, -0.6],
    );
    const a = edgeSoftmax(g, e);
    const z0 = Math.exp(1.5) + Math.exp(-0.5);
    assert.ok(Math.abs(a.data[0] - Math.exp(1.5) / z0) < 1e-12);
    assert.ok(Math.abs(a.data[0] + a.data[1] - 1) < 1e-12);
    const x = tape.tensor([10, 20], [2, 1]);
    const y = edgeAggregate(g, a, x, 1);
    assert.ok(Math.abs(y.data[0] - (10 * a.data[0] + 20 * a.data[1])) < 1e-12);
  });

  it('headDot computes per-head dot products', () => {
    const tape = f64Tape();
    const x = tape.tensor([1, 2, 3, 4], [1, 4]);
    const a = tape.tensor([1, 1, 10, 0], [2, 2]);
    assert.deepEqual([...headDot(x, a, 2).data], [3, 30]);
  });

  const heads = 2;
  const f = 3;
  const graph = randomGraph(10, 3, 7);

  it('edgeScore gradients (src and dst terms) match finite differences', () => {
    const tape = f64Tape();
    const g = attentionGraph(tape.backend, graph);
    const rng = new Rng(1);
    const s = randParam(tape, rng, [10, heads], true);
    const d = randParam(tape, rng, [10, heads], true);
    // Finite differences are only valid away from the LeakyReLU kink: check no pre-activation is near 0.
    for (let i = 0; i < g.rows; i++) {
      for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) {
        for (let h = 0; h < heads; h++)
          assert.ok(Math.abs(s.data[g.indices[e] * heads + h] + d.data[i * heads + h]) > 1e-4);
      }
    }
    const r = gradcheck(tape, () => edgeScore(g, s, d, 0.2), [s, d]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('edgeSoftmax gradients match finite differences', () => {
    const tape = f64Tape();
    const g = attentionGraph(tape.backend, graph);
    const nnz = g.indptr[g.rows];
    const sc = randParam(tape, new Rng(2), [nnz, heads]);
    const r = gradcheck(tape, () => edgeSoftmax(g, sc), [sc]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('edgeAggregate gradients w.r.t. alpha and x match finite differences', () => {
    const tape = f64Tape();
    const g = attentionGraph(tape.backend, graph);
    const nnz = g.indptr[g.rows];
    const rng = new Rng(3);
    const al = randParam(tape, rng, [nnz, heads]);
    const x = randParam(tape, rng, [10, heads * f]);
    const r = gradcheck(tape, () => edgeAggregate(g, al, x, heads), [al, x]);
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('a full GAT attention block (headDot → edgeScore → edgeSoftmax → edgeAggregate) matches finite differences', () => {
    const tape = f64Tape();
    const g = attentionGraph(tape.backend, graph);
    const rng = new Rng(4);
    const x = randParam(tape, rng, [10, heads * f]);
    const aSrc = randParam(tape, rng, [heads, f]);
    const aDst = randParam(tape, rng, [heads, f]);
    const fn = () =>
      edgeAggregate(g, edgeSoftmax(g, edgeScore(g, headDot(x, aSrc, heads), headDot(x, aDst, heads))), x, heads);
    const r = gradcheck(tape, fn, [x, aSrc, aDst]);
    assert.ok(r.ok, JSON.stringify(r));
  });
});

/**
 * Each layer against its formula computed densely by hand on a 5-node graph (one isolated node, one duplicate edge
 * and one stored self-loop, which GCN/GAT must replace by exactly one self-loop).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackend, Rng, Tape, type Tensor } from '../../src/engine/index.js';
import { APPNP } from '../../src/nn/conv/appnp.js';
import { GATConv } from '../../src/nn/conv/gat-conv.js';
import { GCNConv } from '../../src/nn/conv/gcn-conv.js';
import { SAGEConv } from '../../src/nn/conv/sage-conv.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import type { ForwardContext } from '../../src/nn/module.js';

const be = createBackend({ name: 'reference', dtype: 'f64' });
// Row i lists the sources flowing into i. Node 4 is isolated; 0 lists 1 twice and itself once.
const lists = [[0, 1, 1, 2], [0, 2], [0, 1, 3], [2], []];
const indptr = Int32Array.from([0, ...lists.map((_, i) => lists.slice(0, i + 1).flat().length)]);
const structure = { numNodes: 5, indptr, indices: Int32Array.from(lists.flat()) };
/** Distinct neighbours without self-loops. */
const neigh = lists.map((l, i) => [...new Set(l)].filter((j) => j !== i));

function setup(f: number, seed = 1) {
  const tape = new Tape(be);
  const rng = new Rng(seed);
  const xv = Array.from({ length: 5 * f }, () => rng.uniform(-1, 1));
  const x = tape.tensor(xv, [5, f]);
  const ctx: ForwardContext = { graph: new GraphContext(be, structure), training: false, rng: new Rng(9) };
  return { tape, rng, x, xv, ctx };
}

const row = (v: ArrayLike<number>, i: number, c: number) => Array.from(v).slice(i * c, i * c + c);
const matvec = (x: number[], w: Tensor): number[] => {
  const m = w.shape[1];
  return Array.from({ length: m }, (_, j) => x.reduce((s, xi, i) => s + xi * w.data[i * m + j], 0));
};
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
}
function randomize(t: Tensor, rng: Rng) {
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-1, 1);
}

describe('GCNConv', () => {
  it('computes D^-1/2 (A + I) D^-1/2 X W + b with one self-loop per node', () => {
    const { tape, rng, x, xv, ctx } = setup(3);
    const conv = new GCNConv(tape, rng, 3, 2);
    randomize(conv.bias as Tensor, rng);
    const out = conv.forward(x, ctx);
    const nb = neigh.map((n, i) => [...n, i]);
    const deg = nb.map((n) => n.length);
    for (let i = 0; i < 5; i++) {
      const agg = [0, 0, 0];
      for (const j of nb[i]) for (let k = 0; k < 3; k++) agg[k] += xv[j * 3 + k] / Math.sqrt(deg[i] * deg[j]);
      const want = matvec(agg, conv.weight).map((v, c) => v + (conv.bias as Tensor).data[c]);
      close(row(out.data, i, 2), want);
    }
  });

  it('reuses X·W only while X and W are unchanged, with the same values and gradients', () => {
    const { tape, rng, x, ctx } = setup(4);
    const conv = new GCNConv(tape, rng, 4, 3);
    const fresh = tape.noGrad(() => conv.forward(x, ctx).toFloat32());
    tape.reset();
    const train = { ...ctx, training: true };
    const y = conv.forward(x, train);
    assert.equal(conv.reuseHits, 1);
    assert.deepEqual(y.toFloat32(), fresh);
    // Gradient through the reused product equals the one through a plain matmul.
    const seed = Array.from({ length: y.size }, (_, i) => Math.sin(i));
    tape.backward(y, seed);
    const gReuse = Float64Array.from(conv.weight.grad as Float64Array);
    tape.reset();
    conv.weight.grad?.fill(0);
    conv.reuseInput = false;
    const y2 = conv.forward(x, train);
    tape.backward(y2, seed);
    close(conv.weight.grad as Float64Array, gReuse, 1e-12);
    tape.reset();
    conv.reuseInput = true;
    conv.weight.data[0] += 0.5;
    conv.forward(x, ctx);
    assert.equal(conv.reuseHits, 1, 'a changed weight must not reuse the stale product');
  });
});

describe('SAGEConv', () => {
  it('computes mean_j x_j W_l + x_i W_r + b (zeros for a node without neighbours), both aggregation orders', () => {
    for (const [fin, fout] of [
      [3, 5],
      [5, 2],
    ]) {
      const { tape, rng, x, xv, ctx } = setup(fin);
      const conv = new SAGEConv(tape, rng, fin, fout);
      const out = conv.forward(x, ctx);
      for (let i = 0; i < 5; i++) {
        const m = new Array(fin).fill(0);
        for (const j of neigh[i]) for (let k = 0; k < fin; k++) m[k] += xv[j * fin + k] / neigh[i].length;
        const a = matvec(m, conv.weightNeighbor);
        const r = matvec(row(xv, i, fin), conv.weightRoot);
        close(
          row(out.data, i, fout),
          a.map((v, c) => v + r[c] + conv.bias.data[c]),
        );
      }
    }
  });
});

describe('GATConv', () => {
  it('softmax attention over incoming edges plus a self-loop, LeakyReLU 0.2, heads concatenated or averaged', () => {
    for (const concat of [true, false]) {
      const { tape, rng, x, xv, ctx } = setup(3);
      const H = 2;
      const F = 2;
      const conv = new GATConv(tape, rng, 3, F, { heads: H, concat });
      randomize(conv.bias, rng);
      const out = conv.forward(x, ctx);
      const h = Array.from({ length: 5 }, (_, i) => matvec(row(xv, i, 3), conv.weight));
      const lrelu = (v: number) => (v > 0 ? v : 0.2 * v);
      for (let i = 0; i < 5; i++) {
        const src = [...neigh[i], i];
        const heads: number[][] = [];
        for (let hd = 0; hd < H; hd++) {
          const dot = (v: number[], a: Tensor) =>
            v.slice(hd * F, hd * F + F).reduce((s, z, k) => s + z * a.data[hd * F + k], 0);
          const e = src.map((j) => lrelu(dot(h[j], conv.attSrc) + dot(h[i], conv.attDst)));
          const mx = Math.max(...e);
          const z = e.reduce((s, v) => s + Math.exp(v - mx), 0);
          const acc = new Array(F).fill(0);
          src.forEach((j, t) => {
            for (let k = 0; k < F; k++) acc[k] += (Math.exp(e[t] - mx) / z) * h[j][hd * F + k];
          });
          heads.push(acc);
        }
        const y = concat ? heads.flat() : heads[0].map((_, k) => heads.reduce((s, v) => s + v[k], 0) / H);
        close(
          row(out.data, i, conv.outWidth),
          y.map((v, c) => v + conv.bias.data[c]),
        );
      }
    }
  });
});

describe('APPNP', () => {
  it('α = 1 returns the predictions; K = 1, α = 0 is one Â step; K = 2 mixes in α·H', () => {
    const { x, ctx, tape, rng } = setup(2);
    close(new APPNP(3, 1).forward(x, ctx).data, x.data);
    const one = new APPNP(1, 0).forward(x, ctx);
    const gcn = new GCNConv(tape, rng, 2, 2, { bias: false, reuseInput: false });
    gcn.weight.assign([1, 0, 0, 1]);
    close(one.data, gcn.forward(x, ctx).data);
    const a = 0.11;
    const two = new APPNP(2, a).forward(x, ctx);
    const z1 = new APPNP(1, a).forward(x, ctx);
    const az = new APPNP(1, 0).forward(z1, ctx);
    close(
      two.data,
      Array.from(az.data, (v, i) => (1 - a) * v + a * x.data[i]),
    );
  });
});

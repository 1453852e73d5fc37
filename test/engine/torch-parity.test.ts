/**
 * Forward values and gradients against PyTorch 1.13.1 (float64), recorded by fixtures/torch_ops.py: the GCN operator
 * built exactly as ../shared/bench/torch_gcn.py builds it (undirected, duplicates and raw self-loops dropped, one
 * self-loop per node, D^-1/2 (A+I) D^-1/2), a 2-layer GCN, a GAT head written with torch index ops, ELU, LayerNorm and
 * masked cross-entropy. Inputs are the script's closed-form sin/cos grids, rebuilt here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  addBias,
  attentionGraph,
  crossEntropy,
  edgeAggregate,
  edgeScore,
  edgeSoftmax,
  elu,
  gcnAdjacency,
  headDot,
  layerNorm,
  matmul,
  relu,
  spmm,
  type Tensor,
} from '../../src/engine/index.js';
import { csrFromLists } from './_graphs.js';
import { f64Tape } from './_setup.js';

interface Fixture {
  links: number[][];
  n: number;
  f: number;
  h: number;
  c: number;
  A: number[][];
  logits: number[][];
  loss: number;
  grads: Record<string, number[] | number[][]>;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/torch_ops.json', import.meta.url), 'utf8')) as Fixture;

function grid(rows: number, cols: number, a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) out.push(Math.sin(a * i + b * k + 0.3));
  return out;
}

/** Undirected CSR from WikiCS links: both directions of every link, as the data loader stores them. */
function undirected(links: number[][]): number[][] {
  const rows = links.map(() => [] as number[]);
  links.forEach((l, i) => {
    for (const j of l) {
      rows[i].push(j);
      rows[j].push(i);
    }
  });
  return rows;
}

function close(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) < 1e-10, `${what}[${i}]: ${actual[i]} vs torch ${expected[i]}`);
  }
}

describe('parity with PyTorch', () => {
  const tape = f64Tape();
  const be = tape.backend;
  const { n, f, h, c } = fx;
  const g = csrFromLists(undirected(fx.links));
  const adj = gcnAdjacency(be, g);

  it('the GCN operator equals torch_gcn.py’s', () => {
    const dense = new Array<number>(n * n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let e = adj.a.indptr[i]; e < adj.a.indptr[i + 1]; e++)
        dense[i * n + adj.a.indices[e]] += adj.a.values?.[e] ?? 1;
    }
    close(dense, fx.A.flat(), 'A');
  });

  it('logits, loss and every parameter gradient match', () => {
    const x = tape.tensor(grid(n, f, 1.3, 0.7), [n, f]);
    const p = (v: number[], shape: number[]) => tape.tensor(v, shape, { requiresGrad: true });
    const params: Record<string, Tensor> = {
      W1: p(grid(f, h, 0.9, 1.1), [f, h]),
      b1: p(
        Array.from({ length: h }, (_, k) => Math.cos(k) * 0.1),
        [h],
      ),
      W2: p(grid(h, c, 1.7, 0.4), [h, c]),
      b2: p(
        Array.from({ length: c }, (_, k) => Math.cos(2 * k) * 0.1),
        [c],
      ),
      a_src: p(
        Array.from({ length: h }, (_, k) => Math.sin(k + 1)),
        [1, h],
      ),
      a_dst: p(
        Array.from({ length: h }, (_, k) => Math.cos(k + 0.5)),
        [1, h],
      ),
      gamma: p(
        Array.from({ length: h }, (_, k) => 1 + 0.1 * k),
        [h],
      ),
      beta: p(
        Array.from({ length: h }, (_, k) => 0.05 * k),
        [h],
      ),
    };
    const labels = Int32Array.from({ length: n }, (_, i) => i % c);
    const mask = Uint8Array.from({ length: n }, (_, i) => (i % 3 !== 1 ? 1 : 0));
    const ag = attentionGraph(be, g);

    const z = elu(addBias(spmm(adj, matmul(x, params.W1)), params.b1));
    const alpha = edgeSoftmax(ag, edgeScore(ag, headDot(z, params.a_src, 1), headDot(z, params.a_dst, 1), 0.2));
    const hn = layerNorm(relu(edgeAggregate(ag, alpha, z, 1)), params.gamma, params.beta, 1e-5);
    const logits = addBias(spmm(adj, matmul(hn, params.W2)), params.b2);
    const loss = crossEntropy(logits, labels, mask);
    close(logits.data, fx.logits.flat(), 'logits');
    close([loss.item()], [fx.loss], 'loss');
    tape.backward(loss);
    for (const [name, t] of Object.entries(params))
      close(t.grad ?? [], (fx.grads[name] as number[]).flat(), `d${name}`);
  });
});

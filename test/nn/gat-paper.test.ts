/**
 * GAT as the paper builds it (Veličković et al. 2018) and as PyG's GATConv does: the layer structure the Planetoid
 * presets produce, attention dropout at training time only, Glorot-uniform weights and attention vectors, zero bias.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { createBackend, Rng, Tape } from '../../src/engine/index.js';
import { GATConv } from '../../src/nn/conv/gat-conv.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import { buildModel } from '../../src/nn/models/build.js';
import type { ForwardContext } from '../../src/nn/module.js';

const be = createBackend({ name: 'reference', dtype: 'f64' });
// A 6-node ring with one chord: every node has incoming edges, so attention dropout has something to drop.
const lists = [
  [1, 5, 3],
  [0, 2],
  [1, 3],
  [2, 4, 0],
  [3, 5],
  [4, 0],
];
const indptr = Int32Array.from([0, ...lists.map((_, i) => lists.slice(0, i + 1).flat().length)]);
const structure = { numNodes: 6, indptr, indices: Int32Array.from(lists.flat()) };

function gatLayers(preset: string, numFeatures: number, numClasses: number) {
  const cfg = resolveConfig({ preset, overrides: ['train.backend=reference'] });
  const model = buildModel(new Tape(be), new Rng(1), cfg.model, { numFeatures, numClasses });
  const layers = model.stack.layers.map((l) => {
    assert.ok(l instanceof GATConv);
    return l;
  });
  return { model, layers };
}

describe('GAT model from the Planetoid presets', () => {
  it('Cora: 8 concatenated heads of 8 with ELU, then 1 averaged output head; dropout 0.6 on both inputs and α', () => {
    const { model, layers } = gatLayers('gat-planetoid', 1433, 7);
    assert.equal(layers.length, 2);
    assert.deepEqual([layers[0].heads, layers[0].outFeatures, layers[0].concat, layers[0].outWidth], [8, 8, true, 64]);
    assert.deepEqual([layers[1].inFeatures, layers[1].heads, layers[1].concat, layers[1].outWidth], [64, 1, false, 7]);
    assert.deepEqual(
      layers.map((l) => [l.attentionDropout, l.negativeSlope]),
      [
        [0.6, 0.2],
        [0.6, 0.2],
      ],
    );
    const o = model.stack.opts;
    assert.deepEqual(
      [o.inputDropout, o.dropout, o.activation, o.residual, o.layerNorm],
      [0.6, 0.6, 'elu', false, false],
    );
  });

  it('PubMed: 8 output heads, averaged to the class count', () => {
    const { layers } = gatLayers('gat-planetoid-pubmed', 500, 3);
    assert.deepEqual([layers[1].heads, layers[1].concat, layers[1].outWidth, layers[1].bias.size], [8, false, 3, 3]);
  });
});

describe('GATConv details', () => {
  it('Glorot-uniform W (fan in, heads·F) and attention vectors ([H, F], as PyG), zero bias', () => {
    const tape = new Tape(be);
    const conv = new GATConv(tape, new Rng(4), 200, 8, { heads: 8 });
    const within = (v: ArrayLike<number>, b: number) => Array.from(v).every((z) => Math.abs(z) <= b);
    const maxAbs = (v: ArrayLike<number>) => Math.max(...Array.from(v, Math.abs));
    const bw = Math.sqrt(6 / (200 + 64));
    const ba = Math.sqrt(6 / (8 + 8));
    assert.ok(within(conv.weight.data, bw));
    assert.ok(maxAbs(conv.weight.data) > 0.95 * bw, 'W fills its Glorot range');
    for (const a of [conv.attSrc, conv.attDst]) {
      assert.ok(within(a.data, ba));
      assert.ok(maxAbs(a.data) > 0.8 * ba, 'attention fills its Glorot range');
    }
    assert.notDeepEqual(Array.from(conv.attSrc.data), Array.from(conv.attDst.data));
    assert.ok(Array.from(conv.bias.data).every((z) => z === 0));
  });

  it('drops attention coefficients only in training; evaluation is the undropped layer', () => {
    const tape = new Tape(be);
    const rng = new Rng(2);
    const x = tape.tensor(
      Array.from({ length: 6 * 5 }, () => rng.uniform(-1, 1)),
      [6, 5],
    );
    const dropped = new GATConv(tape, new Rng(3), 5, 4, { heads: 2, attentionDropout: 0.6 });
    const plain = new GATConv(tape, new Rng(3), 5, 4, { heads: 2 });
    const graph = new GraphContext(be, structure);
    const ctx = (training: boolean, seed = 9): ForwardContext => ({ graph, training, rng: new Rng(seed) });
    assert.deepEqual(Array.from(dropped.forward(x, ctx(false)).data), Array.from(plain.forward(x, ctx(false)).data));
    const t1 = Array.from(dropped.forward(x, ctx(true, 1)).data);
    const t2 = Array.from(dropped.forward(x, ctx(true, 2)).data);
    assert.notDeepEqual(t1, Array.from(plain.forward(x, ctx(true, 1)).data));
    assert.notDeepEqual(t1, t2, 'a different mask per draw');
  });
});

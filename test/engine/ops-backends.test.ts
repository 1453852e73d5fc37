/**
 * Every op family run through the autograd on the wasm kernels must give the losses and parameter gradients of the
 * reference kernels (float32): a GAT layer (headDot, edge score/softmax/aggregate, concat, head mean), a SAGE-style
 * mean aggregation, GCN SpMM, LayerNorm, dropout, gather and the losses, on a random graph with uneven degrees.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import type { Backend } from '../../src/engine/backend/types.js';
import {
  add,
  addBias,
  attentionGraph,
  concatCols,
  crossEntropy,
  dropout,
  edgeAggregate,
  edgeScore,
  edgeSoftmax,
  elu,
  gcnAdjacency,
  glorotInit,
  headDot,
  headMean,
  indexSelect,
  l2Penalty,
  layerNorm,
  leakyRelu,
  matmul,
  meanAdjacency,
  Rng,
  relu,
  spmm,
  Tape,
} from '../../src/engine/index.js';
import { randomGraph } from './_graphs.js';

const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

function lossAndGrads(be: Backend): { loss: number; grads: Float32Array[] } {
  const n = 150;
  const f = 12;
  const heads = 3;
  const hid = 5;
  const classes = 4;
  const g = randomGraph(n, 6, 21);
  const tape = new Tape(be);
  const rng = new Rng(8);
  const feats = new Float32Array(n * f).map(() => rng.uniform(-1, 1));
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  const x = tape.tensor(feats, [n, f]);
  const ag = attentionGraph(be, g);
  const gcn = gcnAdjacency(be, g);
  const mean = meanAdjacency(be, g);
  const w = tape.param([f, heads * hid], glorotInit(rng));
  const aSrc = tape.param([heads, hid], glorotInit(rng));
  const aDst = tape.param([heads, hid], glorotInit(rng));
  const wRoot = tape.param([f, hid], glorotInit(rng));
  const wOut = tape.param([heads * hid + 2 * hid, classes * 2], glorotInit(rng));
  const gamma = tape.param([heads * hid + 2 * hid], (b) => b.fill(1));
  const beta = tape.param([heads * hid + 2 * hid]);
  const bias = tape.param([classes]);
  const params = [w, aSrc, aDst, wRoot, wOut, gamma, beta, bias];

  const drop = new Rng(3);
  const xw = matmul(x, w);
  const alpha = dropout(
    edgeSoftmax(ag, edgeScore(ag, headDot(xw, aSrc, heads), headDot(xw, aDst, heads), 0.2)),
    0.1,
    true,
    drop,
  );
  const gat = elu(edgeAggregate(ag, alpha, xw, heads));
  const sage = relu(add(matmul(x, wRoot), spmm(mean, matmul(x, wRoot))));
  const gcnOut = leakyRelu(spmm(gcn, matmul(x, wRoot)), 0.1);
  const h = layerNorm(concatCols([gat, sage, gcnOut]), gamma, beta);
  const logits = addBias(headMean(matmul(dropout(h, 0.3, true, drop), wOut), 2), bias);
  const picked = indexSelect(
    logits,
    Int32Array.from({ length: 60 }, (_, i) => (i * 7) % n),
  );
  const pickedLabels = Int32Array.from({ length: 60 }, (_, i) => labels[(i * 7) % n]);
  const loss = add(crossEntropy(picked, pickedLabels), l2Penalty([w, wOut], 1e-3));
  const value = loss.item();
  tape.backward(loss);
  const grads = params.map((p) => Float32Array.from(p.grad ?? []));
  tape.reset();
  return { loss: value, grads };
}

describe('ops on wasm kernels vs reference kernels', () => {
  it('give the same loss and parameter gradients', { skip: wasmMissing }, () => {
    const refBe = createBackend({ name: 'reference', dtype: 'f32' });
    const ref = lossAndGrads(refBe);
    refBe.dispose();
    const be = createBackend({ name: 'wasm' });
    try {
      const got = lossAndGrads(be);
      assert.ok(Math.abs(got.loss - ref.loss) < 1e-5, `loss ${got.loss} vs ${ref.loss}`);
      ref.grads.forEach((gr, p) => {
        let scale = 0;
        for (const v of gr) scale = Math.max(scale, Math.abs(v));
        assert.ok(scale > 0, `param ${p} received a gradient`);
        for (let k = 0; k < gr.length; k++) {
          assert.ok(
            Math.abs(got.grads[p][k] - gr[k]) <= 1e-5 + 1e-4 * scale,
            `param ${p}[${k}]: ${got.grads[p][k]} vs ${gr[k]}`,
          );
        }
      });
    } finally {
      be.dispose();
    }
  });
});

/**
 * Op outputs come from the tape's pool without clearing, so every op must write all of its output. Here the pool is
 * first filled with NaN buffers of every size a computation uses; forward values and gradients must not change.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import {
  add,
  addBias,
  attentionGraph,
  type Backend,
  concatCols,
  crossEntropy,
  dropout,
  edgeAggregate,
  edgeScore,
  edgeSoftmax,
  elu,
  headDot,
  headMean,
  indexSelect,
  layerNorm,
  logSoftmax,
  matmul,
  meanAdjacency,
  mul,
  Rng,
  relu,
  softmax,
  spmm,
  sum,
  Tape,
  type Tensor,
} from '../../src/engine/index.js';
import { csrFromLists } from './_graphs.js';

const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

/** Runs a small model touching every op; returns the output values and the parameter gradients. */
function run(tape: Tape, params: Tensor[], poison: boolean): number[][] {
  const be = tape.backend;
  // Node 3 has no neighbours (and attention without self-loops leaves its row empty): kernels must still write it.
  const g = csrFromLists([[1, 2], [0], [0], []]);
  const ag = attentionGraph(be, g, { selfLoops: false });
  const mean = meanAdjacency(be, g);
  const [w, a, gamma, beta, empty] = params;
  const forward = () => {
    const x = tape.tensor([1, -2, 3, 0.5, -1, 2, 0, 1], [4, 2]);
    const xw = matmul(x, w); // 4 × 4 (2 heads × 2)
    const e = edgeSoftmax(ag, edgeScore(ag, headDot(xw, a, 2), headDot(xw, a, 2), 0.2));
    const att = elu(edgeAggregate(ag, e, xw, 2));
    const agg = relu(spmm(mean, xw));
    const zeroK = matmul(tape.tensor([], [4, 0]), empty); // k = 0: must be all zeros
    const h = layerNorm(add(concatCols([headMean(att, 2), headMean(agg, 2)]), concatCols([zeroK, zeroK])), gamma, beta);
    const d = dropout(mul(h, h), 0.3, true, new Rng(4));
    const logits = addBias(indexSelect(d, Int32Array.from([3, 0, 1, 2, 3])), beta);
    return {
      logits,
      loss: add(crossEntropy(logits, Int32Array.from([0, 1, 2, 3, 0])), sum(softmax(logSoftmax(logits)))),
    };
  };
  if (poison) {
    const { logits, loss } = forward();
    tape.backward(loss);
    for (const p of params) p.grad = null;
    void logits;
    // Every pooled buffer becomes NaN before the real run.
    const pool = (tape as unknown as { pool: Map<number, Float32Array[]> }).pool;
    tape.reset();
    for (const list of pool.values()) for (const b of list) b.fill(Number.NaN);
  }
  const { logits, loss } = forward();
  tape.backward(loss);
  const out = [[...logits.data], [loss.item()], ...params.map((p) => [...(p.grad ?? [])])];
  tape.reset();
  for (const p of params) p.grad = null;
  return out;
}

function check(be: Backend): void {
  const tape = new Tape(be);
  const params = [
    tape.tensor([0.5, -1, 0.25, 2, 1, 0.5, -0.75, 1.5], [2, 4], { requiresGrad: true }),
    tape.tensor([0.3, -0.2, 0.1, 0.4], [2, 2], { requiresGrad: true }),
    tape.tensor([1, 1.5, 0.5, 2], [4], { requiresGrad: true }),
    tape.tensor([0.1, -0.1, 0.2, 0], [4], { requiresGrad: true }),
    tape.tensor([], [0, 2], { requiresGrad: true }),
  ];
  const clean = run(tape, params, false);
  const dirty = run(tape, params, true);
  for (const row of clean) for (const v of row) assert.ok(Number.isFinite(v));
  assert.deepEqual(dirty, clean);
  tape.dispose();
}

describe('op outputs over a NaN-poisoned pool', () => {
  it('reference backend: identical values and gradients', () => {
    check(createBackend({ name: 'reference', dtype: 'f64' }));
  });
  it('wasm backend: identical values and gradients', { skip: wasmMissing }, () => {
    const be = createBackend({ name: 'wasm' });
    try {
      check(be);
    } finally {
      be.dispose();
    }
  });
});

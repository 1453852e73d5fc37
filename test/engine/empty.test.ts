/** Ops on empty inputs (a graph split with no nodes of a kind, a zero-width layer) return empty results, not errors. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import {
  addBias,
  concatCols,
  dropout,
  indexSelect,
  matmul,
  Rng,
  relu,
  spmm,
  sum,
  Tape,
  transposeCsr,
} from '../../src/engine/index.js';

const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

describe('empty inputs', () => {
  for (const name of ['reference', 'wasm'] as const) {
    it(`flow through forward and backward on the ${name} backend`, { skip: name === 'wasm' && wasmMissing }, () => {
      const be = createBackend({ name });
      try {
        const tape = new Tape(be);
        const x = tape.tensor([], [0, 3]);
        const w = tape.tensor([1, 2, 3, 4, 5, 6], [3, 2], { requiresGrad: true });
        const b = tape.tensor([1, 1], [2], { requiresGrad: true });
        const y = relu(addBias(matmul(x, w), b));
        assert.deepEqual(y.shape, [0, 2]);
        assert.equal(indexSelect(w, new Int32Array(0)).size, 0);
        assert.deepEqual(concatCols([y, y]).shape, [0, 4]);
        assert.equal(dropout(y, 0.5, true, new Rng(1)).size, 0);
        const empty = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), values: null };
        assert.deepEqual(spmm({ a: empty, t: transposeCsr(be, empty).t }, tape.tensor([], [0, 4])).shape, [0, 4]);
        const s = sum(y);
        assert.equal(s.item(), 0);
        tape.backward(s);
        assert.deepEqual([...(w.grad ?? [])], [0, 0, 0, 0, 0, 0]);
        assert.deepEqual([...(b.grad ?? [])], [0, 0]);
        tape.reset();
      } finally {
        be.dispose();
      }
    });
  }
});

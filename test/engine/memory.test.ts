/**
 * Training memory stays flat: after a warm-up every buffer an epoch needs comes back from the tape's pool, so the
 * wasm arena neither grows nor leaks live blocks from epoch to epoch. (Warm-up is two epochs: a buffer released in
 * the first backward can become a parameter's persistent gradient, so the second epoch may take one more.)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Arena } from '../../src/engine/backend/arena.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import { WasmBackend } from '../../src/engine/backend/wasm.js';
import { wasmApi } from '../../src/engine/backend/wasm-api.js';
import { attentionGraph, disposeAdjacency, gcnAdjacency, meanAdjacency } from '../../src/engine/index.js';
import { trainGcn } from './_gcn.js';
import { randomGraph } from './_graphs.js';
import { smallWikiCS } from './_wikics-fixture.js';

const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

describe('memory across epochs', () => {
  it('the wasm arena stays the same size and live bytes return to the same level after every reset', {
    skip: wasmMissing,
  }, () => {
    const be = new WasmBackend({ threads: 1 });
    try {
      const reserved: number[] = [];
      const live: number[] = [];
      trainGcn(be, smallWikiCS(300, 2), {
        hidden: 16,
        epochs: 8,
        seed: 1,
        onEpoch: () => {
          const s = be.memoryStats();
          reserved.push(s.reservedBytes);
          live.push(s.liveBytes);
        },
      });
      assert.ok(reserved[0] > 0);
      for (let e = 2; e < 8; e++) {
        assert.equal(reserved[e], reserved[1], `arena grew at epoch ${e}: ${reserved}`);
        assert.equal(live[e], live[1], `live bytes changed at epoch ${e}: ${live}`);
      }
    } finally {
      be.dispose();
    }
  });

  it('building and disposing the operators of a graph returns every block (a server builds them per request)', {
    skip: wasmMissing,
  }, () => {
    const be = new WasmBackend({ threads: 1 });
    try {
      const g = randomGraph(40, 4, 3);
      const before = be.memoryStats().liveBytes;
      for (let k = 0; k < 3; k++) {
        for (const build of [gcnAdjacency, meanAdjacency, attentionGraph]) disposeAdjacency(be, build(be, g));
        assert.equal(be.memoryStats().liveBytes, before, `round ${k}: blocks left live`);
      }
    } finally {
      be.dispose();
    }
  });

  it('a reused block comes back zeroed (the wasm bulk fill and the reference fill alike)', {
    skip: wasmMissing,
  }, () => {
    const be = new WasmBackend({ threads: 1 });
    // the reference twin: an arena without a zeroing kernel fills with a typed array
    const memory = new wasmApi.Memory({ initial: 4, maximum: 64, shared: true });
    const plain = new Arena(memory, 64);
    try {
      for (const n of [1, 100, 10_000]) {
        const a = be.alloc(n);
        a.fill(7.5);
        be.free(a);
        const b = be.alloc(n);
        assert.equal(b.byteOffset, a.byteOffset, 'the freed block is handed out again');
        assert.ok(
          b.every((v) => v === 0),
          `wasm: block of ${n} floats not zeroed`,
        );
        be.free(b);

        const off = plain.alloc(n * 4);
        new Float32Array(memory.buffer, off, n).fill(7.5);
        plain.release(off);
        assert.equal(plain.alloc(n * 4), off);
        assert.ok(
          new Float32Array(memory.buffer, off, n).every((v) => v === 0),
          `reference: block of ${n} floats not zeroed`,
        );
        plain.release(off);
      }
    } finally {
      be.dispose();
    }
  });
});

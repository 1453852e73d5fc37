/**
 * A 2-layer GCN (hidden 33) trained through the autograd on a synthetic WikiCS-format graph
 * follows the same loss curve with the wasm kernels and with the reference kernels (float32), to 1e-4.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import { trainGcn } from './_gcn.js';
import { smallWikiCS } from './_wikics-fixture.js';

const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

describe('GCN training: wasm vs reference kernels', () => {
  it('30 epochs give the same loss curve to 1e-4, on 1 thread and on all cores', { skip: wasmMissing }, () => {
    const g = smallWikiCS(500, 5);
    const opts = { hidden: 33, epochs: 30, seed: 7 };
    const refBe = createBackend({ name: 'reference', dtype: 'f32' });
    const ref = trainGcn(refBe, g, opts);
    refBe.dispose();
    // The curve must actually move, or agreement would mean nothing.
    assert.ok(ref[29] < ref[0] - 0.5, `loss fell from ${ref[0]} to ${ref[29]}`);
    for (const threads of [1, 0]) {
      const be = createBackend({ name: 'wasm', threads });
      try {
        const got = trainGcn(be, g, opts);
        const worst = Math.max(...got.map((v, i) => Math.abs(v - ref[i])));
        assert.ok(worst <= 1e-4, `threads=${be.threads}: max |Δloss| = ${worst}`);
      } finally {
        be.dispose();
      }
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/engine/backend/index.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import { trainGcn } from './_gcn.js';
import { smallWikiCS } from './_wikics-fixture.js';

const g = smallWikiCS();
const wasmMissing = existsSync(kernelsWasmPath()) ? false : 'build/kernels.wasm missing: run npm run build:kernels';

describe('determinism: a 2-layer GCN with dropout', () => {
  it('gives bit-identical losses for the same seeds on the reference backend, and other losses for another seed', () => {
    const be = createBackend({ name: 'reference', dtype: 'f32' });
    const run = (dropoutSeed: number) => trainGcn(be, g, { hidden: 16, epochs: 5, seed: 1, dropoutSeed });
    const a = run(2);
    const b = run(2);
    const c = run(3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(a[4] < a[0], `the loss falls: ${a}`);
    be.dispose();
  });

  it('gives bit-identical losses for the same seed and thread count on the wasm backend', { skip: wasmMissing }, () => {
    const be = createBackend({ name: 'wasm' });
    try {
      const a = trainGcn(be, g, { hidden: 16, epochs: 5, seed: 1 });
      const b = trainGcn(be, g, { hidden: 16, epochs: 5, seed: 1 });
      assert.deepEqual(a, b);
    } finally {
      be.dispose();
    }
  });
});

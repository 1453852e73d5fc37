import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadServedModel } from '../../src/serve/loader.js';
import { sha256 } from '../../src/util/fs.js';

// A GCN checkpoint blob written by `gnnops train` (see test/fixtures/workspace-main/README.md); its training graph
// is not present here, so both runtimes serve it for subgraph requests only.
const blob = join(
  import.meta.dirname,
  '../fixtures/workspace-main/artifacts/sha256/43/eb52feb6296dc919f85fc8883976138ca0ff509f0c5c9ae947c04e6683b47f',
);
const dir = mkdtempSync(join(tmpdir(), 'gnnops-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('served model identity', () => {
  it('a checkpoint file has one name and version whatever the runtime: its checkpoint digest', async () => {
    const file = join(dir, 'mygraph-gcn.safetensors');
    copyFileSync(blob, file);
    const native = await loadServedModel(file);
    const onnx = await loadServedModel(file, { runtime: 'onnx' });
    try {
      const digest = sha256(readFileSync(file)).slice(0, 12);
      assert.deepEqual([native.name, native.version], ['mygraph-gcn', digest]);
      assert.deepEqual([onnx.name, onnx.version], ['mygraph-gcn', digest]);
    } finally {
      await native.close?.();
      await onnx.close?.();
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tape } from '../../src/engine/index.js';
import { readCheckpoint, restoreModel, saveCheckpoint, sidecarPath } from '../../src/nn/checkpoint.js';
import { decodeSafetensors } from '../../src/nn/safetensors.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { makeTask, refBackend, testConfig, tinyGraph } from '../train/_fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-ckpt-'));

describe('checkpoints', () => {
  for (const name of ['gcn', 'sage', 'gat', 'appnp', 'mlp'] as const) {
    it(`${name}: saved weights reload to bit-identical predictions, with configs in the metadata and sidecar`, () => {
      const cfg = testConfig([`model.name=${name}`, 'model.hidden=6', 'model.heads=2', 'model.layer_norm=true']);
      const data = tinyGraph();
      const s = makeTask(cfg, data);
      for (let e = 0; e < 3; e++) s.task.trainingStep();
      const before = s.task.predict().probs;
      const path = join(dir, `${name}.safetensors`);
      saveCheckpoint(path, s.model, {
        model: cfg.model,
        config: cfg,
        dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
        dataset: { name: data.name, hash: data.hash },
        split: 0,
        metrics: { test_acc: 0.5 },
      });
      s.dispose();
      const raw = decodeSafetensors(readFileSync(path));
      assert.equal(JSON.parse(raw.metadata.config).model.name, name);
      assert.ok(existsSync(sidecarPath(path)));
      assert.equal(JSON.parse(readFileSync(sidecarPath(path), 'utf8')).config.train.lr, cfg.train.lr);

      const ck = readCheckpoint(path);
      const tape = new Tape(refBackend);
      const model = restoreModel(tape, ck);
      const s2 = makeTask(cfg, data);
      s2.model.loadStateDict(model.stateDict());
      assert.deepEqual(s2.task.predict().probs, before);
      s2.dispose();
      model.dispose();
    });
  }

  it('predictor: by-node lookups equal the full-graph pass; a subgraph equal to the whole graph gives the same rows', () => {
    const cfg = testConfig(['model.name=gcn', 'model.hidden=8']);
    const data = tinyGraph();
    const s = makeTask(cfg, data);
    for (let e = 0; e < 5; e++) s.task.trainingStep();
    const probs = s.task.predict().probs;
    const path = join(dir, 'pred.safetensors');
    saveCheckpoint(path, s.model, {
      model: cfg.model,
      config: cfg,
      dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
      dataset: { name: data.name, hash: data.hash },
      split: 0,
      metrics: {},
    });
    s.dispose();
    const p = loadPredictor(path, data, { backend: refBackend });
    const c = data.numClasses;
    const ids = Int32Array.from([5, 0, 17, 5]);
    const got = p.predictNodes(ids);
    for (const [r, id] of ids.entries())
      assert.deepEqual(got.subarray(r * c, r * c + c), probs.subarray(id * c, id * c + c));
    const src: number[] = [];
    const dst: number[] = [];
    for (let i = 0; i < data.numNodes; i++)
      for (let e = data.indptr[i]; e < data.indptr[i + 1]; e++) {
        src.push(data.indices[e]);
        dst.push(i);
      }
    const sub = p.predictSubgraph(data.features, data.numNodes, Int32Array.from(src), Int32Array.from(dst));
    for (let i = 0; i < sub.length; i++) assert.ok(Math.abs(sub[i] - probs[i]) < 1e-5, `entry ${i}`);
    for (let i = 0; i < 3; i++)
      assert.ok(Math.abs(sub.subarray(i * c, i * c + c).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(p.numFeatures, data.numFeatures);
    assert.equal(p.graph?.degrees?.[0], data.indptr[1] - data.indptr[0]);
  });

  it('refuses a checkpoint whose tensors do not match the model it describes', () => {
    const cfg = testConfig(['model.hidden=4']);
    const data = tinyGraph();
    const s = makeTask(cfg, data);
    const path = join(dir, 'bad.safetensors');
    saveCheckpoint(path, s.model, {
      model: cfg.model,
      config: testConfig(['model.hidden=5']),
      dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
      dataset: { name: data.name, hash: data.hash },
      split: 0,
      metrics: {},
    });
    s.dispose();
    assert.throws(
      () => restoreModel(new Tape(refBackend), readCheckpoint(path)),
      /shape \[12,4\], the model expects \[12,5\]/,
    );
  });
});

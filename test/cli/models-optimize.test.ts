import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OptimizeReport } from '../../src/jobs/optimize/index.js';
import { weightMatrixNames } from '../../src/jobs/optimize/index.js';
import { readCheckpoint } from '../../src/nn/checkpoint.js';
import { Registry } from '../../src/registry/index.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import { onnxSubgraphRunner } from '../../src/serve/onnx/runtime.js';
import { openStore, type Store } from '../../src/track/index.js';
import { coraMissing, coraRawDir, repoRoot } from '../data/shared-data.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-optimize-'));
const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
  });

/** `gnnops models optimize REF …flags` with one timing round and few requests (the tests check results, not speed). */
function optimize(ref: string, flags: string[], requests = 20): OptimizeReport {
  const r = cli('models', 'optimize', ref, ...flags, '--repeats', '1', '--requests', String(requests), '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as OptimizeReport;
}

function zeros(a: Float32Array): number {
  let z = 0;
  for (const v of a) if (v === 0) z++;
  return z;
}

describe('models optimize: bad input names the field', () => {
  for (const [args, re] of [
    [['--prune', '1.5'], /--prune: "1\.5" must be a fraction/],
    [['--prune', '0.5', '--quantize', 'int8'], /--quantize and --prune: choose one/],
    [[], /--quantize int8 or --prune <fraction> is required/],
    [['--quantize', 'fp16'], /--quantize: "fp16" is not supported; allowed: int8/],
    [['--prune', '0.5', '--runtime', 'tpu'], /--runtime: "tpu"; allowed: native, onnx, both/],
  ] as const) {
    it(args.join(' ') || '(no optimisation flag)', () => {
      const r = cli('models', 'optimize', 'cora-gcn@production', ...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }

  it('an unknown ref', async () => {
    const r = cli('models', 'optimize', 'nosuch@production', '--prune', '0.5', '--json');
    assert.equal(r.status, 2, r.stderr);
    const e = JSON.parse(r.stdout) as { error: { message: string; details: { field: string } } };
    assert.match(e.error.message, /ref "nosuch@production": no registered model "nosuch"/);
    assert.equal(e.error.details.field, 'ref');
    const f = cli('models', 'optimize', './missing.safetensors', '--quantize', 'int8');
    assert.match(f.stderr, /ref: checkpoint file not found: \.\/missing\.safetensors/);
  });
});

// Real data: a GCN trained briefly on Cora (one seed, 30 epochs, ~80% test accuracy) and both optimisations; an MLP.
describe('models optimize on models trained briefly on Cora', { skip: coraMissing }, () => {
  let store: Store;
  let registry: Registry;
  before(async () => {
    const t = cli('train', 'data.name=cora', `data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=30');
    assert.equal(t.status, 0, t.stderr);
    process.env.GNNOPS_HOME = home;
    store = await openStore();
    registry = new Registry(store);
  });
  after(async () => store?.close());

  it('--prune 0.5 registers version 2 with its lineage; half the weights are zero, production stays at 1', async () => {
    const rep = optimize('cora-gcn@production', ['--prune', '0.5']);
    assert.equal(rep.variant.version, 2);
    const v = await registry.getVersion('cora-gcn', 2);
    assert.equal(v.tags.variant_of, 'cora-gcn/1');
    assert.equal(v.tags.optimization, 'prune');
    assert.equal(v.tags.prune_fraction, '0.5');
    assert.equal(v.tags.source_checkpoint_digest, (await registry.getVersion('cora-gcn', 1)).checkpointDigest);
    assert.ok(v.referenceProfileDigest, 'a drift reference profile is stored');
    assert.equal(v.datasetHash, (await registry.getVersion('cora-gcn', 1)).datasetHash);
    assert.equal((await registry.aliases('cora-gcn')).production, 1);

    const src = readCheckpoint((await registry.getVersion('cora-gcn', 1)).checkpointPath);
    const out = readCheckpoint(v.checkpointPath);
    const names = weightMatrixNames(out.tensors);
    assert.deepEqual(names, ['stack.layers.0.weight', 'stack.layers.1.weight']);
    const total = names.reduce((a, n) => a + out.tensors.get(n)!.data.length, 0);
    assert.equal(
      names.reduce((a, n) => a + zeros(src.tensors.get(n)!.data), 0),
      0,
      'the trained source has no exact zeros',
    );
    assert.equal(
      names.reduce((a, n) => a + zeros(out.tensors.get(n)!.data), 0),
      Math.floor(total / 2),
    );
    assert.deepEqual(out.tensors.get('stack.layers.0.bias')!.data, src.tensors.get('stack.layers.0.bias')!.data);
    // the registered metrics are what the report measured; pruning half the weights of this GCN keeps its accuracy
    // (measured 80.4% → 80.3% test, max |Δp| 0.015: most of layer 0's 1433 × 16 weights are tiny)
    assert.equal(v.metrics.test_acc, rep.runtimes[0].variant.test_acc);
    assert.equal(v.metrics.weight_sparsity, 0.5);
    assert.ok(v.metrics.test_acc > v.metrics.source_test_acc - 0.05, JSON.stringify(v.metrics));
    assert.ok(v.metrics.max_abs_dprob > 0);
  });

  it('--quantize int8: probabilities within 0.02 of the source; the int8 ONNX artifact computes the same as the native variant', async () => {
    const rep = optimize('cora-gcn/1', ['--quantize', 'int8', '--runtime', 'both']);
    assert.equal(rep.variant.version, 3);
    assert.deepEqual(
      rep.runtimes.map((c) => c.runtime),
      ['native', 'onnx'],
    );
    const v = await registry.getVersion('cora-gcn', 3);
    assert.equal(v.tags.quantize, 'int8');
    assert.equal(v.tags.variant_of, 'cora-gcn/1');
    assert.ok(v.metrics.max_abs_dprob < 0.02, `max |Δp| ${v.metrics.max_abs_dprob}`);
    assert.ok(Math.abs(v.metrics.test_acc - v.metrics.source_test_acc) <= 0.01, JSON.stringify(v.metrics));
    assert.ok(rep.size.variant_onnx_bytes! < 0.3 * rep.size.source_onnx_bytes!, JSON.stringify(rep.size));
    assert.equal((await registry.aliases('cora-gcn')).production, 1);
    assert.ok(rep.variant.onnx && v.tags.onnx_int8_digest === rep.variant.onnx_digest);
    assert.ok(store.cas.has(v.tags.onnx_int8_digest), 'the int8 ONNX model is in the artifact store');

    // the variant is served with its source's calibration temperature, which its int8 ONNX file also applies
    const sourceT = (await registry.getVersion('cora-gcn', 1)).metrics.temperature;
    assert.ok(sourceT > 0 && v.metrics.temperature === sourceT, JSON.stringify(v.metrics));
    // parity: the int8 ONNX model (float semantics, 'basic') against the native engine on the variant checkpoint
    const native = loadPredictor(v.checkpointPath, undefined, { temperature: sourceT });
    const onnx = await onnxSubgraphRunner(readFileSync(rep.variant.onnx), { optimization: 'basic' });
    const F = native.numFeatures;
    const n = 6;
    const x = Float32Array.from({ length: n * F }, (_, i) => ((i * 7919) % 13 === 0 ? 1 : 0));
    const src = Int32Array.from([0, 1, 2, 3, 4, 5, 0]);
    const dst = Int32Array.from([1, 2, 3, 4, 5, 0, 3]);
    const a = native.predictSubgraph(x, n, src, dst);
    const b = await onnx.run(x, n, F, src, dst);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    assert.ok(d < 1e-5, `native vs int8 ONNX max |Δp| ${d}`);
    await onnx.close();
    native.close?.();
  });
  it('a checkpoint path with --no-register measures and writes the variant without a new version', async () => {
    const path = (await registry.getVersion('cora-gcn', 1)).checkpointPath;
    const before = (await registry.listVersions('cora-gcn')).length;
    const rep = optimize(path, ['--prune', '0.25', '--no-register'], 10);
    assert.equal(rep.variant.version, null);
    assert.equal((await registry.listVersions('cora-gcn')).length, before);
    const out = readCheckpoint(rep.variant.checkpoint);
    const total = rep.weights.total;
    assert.equal(
      weightMatrixNames(out.tensors).reduce((a, n) => a + zeros(out.tensors.get(n)!.data), 0),
      Math.floor(total / 4),
    );
  });

  it('another model kind (MLP): pruning works natively; --runtime onnx is refused naming the runtime', async () => {
    const t = cli(
      'train',
      'data.name=cora',
      `data.mirror=${coraRawDir}`,
      'model.name=mlp',
      'train.seeds=1',
      'train.epochs=10',
    );
    assert.equal(t.status, 0, t.stderr);
    const bad = cli('models', 'optimize', 'cora-mlp@production', '--quantize', 'int8', '--runtime', 'onnx');
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--runtime onnx: ONNX export supports GCN models; this checkpoint is mlp/);
    const rep = optimize('cora-mlp@production', ['--quantize', 'int8'], 10);
    assert.equal(rep.variant.version, 2);
    assert.equal(rep.variant.onnx, null);
    assert.match(rep.variant.onnx_unavailable ?? '', /supports GCN models/);
    assert.equal((await registry.getVersion('cora-mlp', 2)).tags.variant_of, 'cora-mlp/1');
  });
});

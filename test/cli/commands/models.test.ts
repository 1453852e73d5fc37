import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accuracyCell } from '../../../src/cli/commands/models.js';
import { Registry } from '../../../src/registry/index.js';
import type { ModelVersion } from '../../../src/registry/types.js';
import { lineageOf } from '../../../src/serve/loader.js';
import { openStore } from '../../../src/track/store.js';
import { runCli } from '../_run.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-models-show-'));
after(async () => rmSync(home, { recursive: true, force: true }));

const gnnops = (args: string[]) => runCli(home, args, { USER: 'tester' });

// A trained version (seed means, as `gnnops train` registers) and a pruned variant of it registered the way
// `gnnops models optimize` does (single measurements, lineage in tags).
const variantTags = {
  variant_of: 'gcn/1',
  source_checkpoint_digest: 'abc123',
  optimization: 'prune',
  prune_fraction: '0.5',
};
const variantDescription = '50% of weights pruned (global magnitude) of gcn/1: test 80.10% (source 80.40%)';
let trained: ModelVersion;
let variant: ModelVersion;

before(async () => {
  const store = await openStore({ home });
  try {
    const reg = new Registry(store);
    trained = await reg.registerVersion({
      model: 'gcn',
      checkpoint: Buffer.from('weights-1'),
      metrics: { val_acc_mean: 0.812, test_acc_mean: 0.804 },
      by: 'tester',
    });
    variant = await reg.registerVersion({
      model: 'gcn',
      checkpoint: Buffer.from('weights-2'),
      metrics: { val_acc: 0.7931, test_acc: 0.801, max_abs_dprob: 0.02 },
      description: variantDescription,
      tags: variantTags,
      by: 'tester',
    });
  } finally {
    await store.close();
  }
});

describe('gnnops models show: variant lineage', () => {
  it('shows one version with its description and tags (and --json carries both)', async () => {
    const r = gnnops(['models', 'show', 'gcn/2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^description ${variantDescription.replace(/[()%.]/g, '\\$&')}$`, 'm'));
    assert.match(
      r.stdout,
      /^tags {8}variant_of=gcn\/1 {2}source_checkpoint_digest=abc123 {2}optimization=prune {2}prune_fraction=0\.5$/m,
    );
    const j = JSON.parse(gnnops(['models', 'show', 'gcn/2', '--json']).stdout) as ModelVersion;
    assert.deepEqual(j.tags, variantTags);
    assert.equal(j.description, variantDescription);

    const plain = gnnops(['models', 'show', 'gcn/1']);
    assert.match(plain.stdout, /^description —$/m);
    assert.match(plain.stdout, /^tags {8}—$/m);
  });

  it('the versions table falls back to the single measurements of a variant, labelled, and names its source', async () => {
    const r = gnnops(['models', 'show', 'gcn']);
    assert.equal(r.code, 0, r.stderr);
    const row = (v: number) => r.stdout.split('\n').find((l) => new RegExp(`^${v}\\s`).test(l)) ?? '';
    assert.match(row(1), /^1\s+—\s+—\s+0\.812\s+0\.804\s+—\s/);
    assert.match(row(2), /^2\s+—\s+—\s+0\.7931 \(val_acc\)\s+0\.801 \(test_acc\)\s+prune of gcn\/1\s/);
  });

  it('accuracyCell prefers the seed mean and shows — when neither metric exists', async () => {
    assert.equal(accuracyCell({ test_acc_mean: 0.8, test_acc: 0.7 }, 'test'), '0.8');
    assert.equal(accuracyCell({ test_acc: 0.7 }, 'test'), '0.7 (test_acc)');
    assert.equal(accuracyCell({ test_acc: 0.7 }, 'val'), '—');
  });
});

describe('lineageOf (GET /v1/models)', () => {
  it('names the source and the optimisation of a variant, and null for a trained version', async () => {
    const l = lineageOf(variant);
    assert.equal(l.variant_of, 'gcn/1');
    assert.equal(l.optimization, 'prune');
    assert.equal(l.description, variantDescription);
    assert.deepEqual(l.tags, variantTags);
    assert.equal(l.checkpoint_digest, variant.checkpointDigest);
    const t = lineageOf(trained);
    assert.equal(t.variant_of, null);
    assert.equal(t.optimization, null);
    assert.deepEqual(t.tags, {});
  });
});

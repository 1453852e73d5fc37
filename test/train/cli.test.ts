/** `gnnops train --json` end to end on a tiny synthetic WikiCS-format file, then evaluate and the tracking store. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeSynthetic } from '../../src/data/synth.js';
import { Registry } from '../../src/registry/index.js';
import { openStore, Tracker } from '../../src/track/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'gnnops-cli-train-'));
const file = join(home, 'tiny.json');
writeSynthetic(file, { nodes: 200, features: 10, seed: 5 });

function gnnops(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('gnnops train (CLI)', () => {
  it('--json prints exactly the documented keys, records the run, registers and promotes the model', async () => {
    const r = gnnops([
      'train',
      '--data-file',
      file,
      'train.epochs=8',
      'train.splits=3',
      'train.backend=reference',
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), [
      'dataset',
      'dataset_version',
      'model',
      'splits',
      'test_acc_mean',
      'test_acc_std',
      'test_acc_ci95',
      'val_acc_mean',
      'epoch_ms_median',
      'best_epoch_median',
      'run_id',
      'checkpoint',
      'model_name',
      'model_version',
      'promoted',
    ]);
    assert.equal(j.dataset, 'tiny');
    assert.equal(j.model, 'gcn');
    assert.equal(j.splits, 3);
    assert.equal(j.model_version, 1);
    assert.equal(j.model_name, 'tiny-gcn');
    assert.equal(j.promoted, true);
    assert.match(String(j.dataset_version), /^[0-9a-f]{16}$/);

    const store = await openStore({ home });
    const tracker = new Tracker(store);
    const d = await tracker.detail(String(j.run_id));
    assert.equal(d.run.status, 'finished');
    assert.equal(d.run.datasetName, 'tiny');
    assert.equal(d.params['train.epochs'], '8');
    assert.equal(d.metrics.test_acc_mean.value, j.test_acc_mean);
    assert.equal((await tracker.metricHistory(d.run.id, 'split_test_acc')).length, 3);
    assert.equal((await tracker.metricHistory(d.run.id, 'split1/val_loss')).length > 0, true);
    assert.ok(d.artifacts.some((a) => a.name === 'checkpoint'));
    const reg = new Registry(store);
    assert.equal((await reg.aliases('tiny-gcn')).production, 1);
    await store.close();

    const ckpt = join(home, 'models', 'tiny-gcn', `${j.run_id}.safetensors`);
    assert.ok(existsSync(ckpt));
    assert.equal(j.checkpoint, ckpt);
    const e = gnnops(['evaluate', '--checkpoint', ckpt, '--split', '2', '--json']);
    assert.equal(e.code, 0, e.err);
    const ev = JSON.parse(e.out) as Record<string, number>;
    assert.equal(ev.split, 2);
    assert.ok(ev.test_acc > 0 && ev.test_acc <= 1);
  });

  it('--name names the --data-file graph and so its model; a bad --name is a usage error naming data.name', async () => {
    const r = gnnops(['train', '--data-file', file, '--name', 'mygraph', 'train.epochs=3', 'train.splits=1', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    assert.equal(j.dataset, 'mygraph');
    assert.equal(j.model_name, 'mygraph-gcn');
    const bad = gnnops(['train', '--data-file', file, '--name', '-x', 'train.epochs=3', '--json']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /data\.name: got "-x", expected a dataset name of 1-64 characters/);
  });

  it('a bad override is a usage error naming the key, not a crash', async () => {
    const r = gnnops(['train', '--data-file', file, 'model.hidden=0', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.err, /model\.hidden/);
  });

  it('mini-batch: past train.full_batch_max_gib it says so, records the batch size used, and logs one line per epoch', async () => {
    // A tiny budget stands in for a graph too large for full batch (the estimate itself is tested in minibatch.test).
    const over = ['model.name=sage', 'train.full_batch_max_gib=0.00001', 'train.epochs=3', 'train.splits=1'];
    const r = gnnops(['train', '--data-file', file, '--name', 'mb', ...over, 'train.sampler_workers=1']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /mini-batch training: batch 1024, fanouts 15,10, 1 sampling thread.*\n {2}because a full batch of 200 nodes would take an estimated [\d.]+ MiB of engine memory \(more than train\.full_batch_max_gib=0\.00001\)/,
    );
    // stderr is a pipe here, not a terminal: no bar redraws, one line per epoch with the throughput.
    const lines = r.err.split('\n').filter((l) => /^split 1\/1 epoch \d+:/.test(l));
    assert.equal(lines.length, 3, r.err);
    for (const l of lines)
      assert.match(
        l,
        /1 batches in [\d.]+ s \([\d.]+ batches\/s, [\d,]+ sampled edges\/s.*\); evaluation [\d.]+ s; train loss [\d.]+, val acc [\d.]+%/,
      );
    assert.doesNotMatch(r.err, /\[(█|░)/, 'no progress bar when stderr is not a terminal');

    const store = await openStore({ home });
    try {
      const tracker = new Tracker(store);
      const [run] = (await tracker.listRuns({})).filter((x) => x.datasetName === 'mb');
      assert.ok(run, 'the run is tracked');
      const d = await tracker.detail(run.id);
      assert.equal(d.params['train.batch_size'], '1024');
      assert.equal(d.params['train.fanouts'], '[15,10]');
      assert.match(d.tags.batching ?? '', /^auto: a full batch of 200 nodes/);
    } finally {
      await store.close();
    }

    const quiet = gnnops(['train', '--data-file', file, '--name', 'mbq', ...over, 'train.sampler_workers=0', '--json']);
    assert.equal(quiet.code, 0, quiet.err);
    assert.equal(JSON.parse(quiet.out).model, 'sage');
    assert.doesNotMatch(quiet.err, /epoch \d+:|mini-batch training/, 'nothing on stderr under --json');
  });
});

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
  it('--json prints exactly the documented keys, records the run, registers and promotes the model', () => {
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

    const store = openStore({ home });
    const tracker = new Tracker(store);
    const d = tracker.detail(String(j.run_id));
    assert.equal(d.run.status, 'finished');
    assert.equal(d.run.datasetName, 'tiny');
    assert.equal(d.params['train.epochs'], '8');
    assert.equal(d.metrics.test_acc_mean.value, j.test_acc_mean);
    assert.equal(tracker.metricHistory(d.run.id, 'split_test_acc').length, 3);
    assert.equal(tracker.metricHistory(d.run.id, 'split1/val_loss').length > 0, true);
    assert.ok(d.artifacts.some((a) => a.name === 'checkpoint'));
    const reg = new Registry(store);
    assert.equal(reg.aliases('tiny-gcn').production, 1);
    store.close();

    const ckpt = join(home, 'models', 'tiny-gcn', `${j.run_id}.safetensors`);
    assert.ok(existsSync(ckpt));
    assert.equal(j.checkpoint, ckpt);
    const e = gnnops(['evaluate', '--checkpoint', ckpt, '--split', '2', '--json']);
    assert.equal(e.code, 0, e.err);
    const ev = JSON.parse(e.out) as Record<string, number>;
    assert.equal(ev.split, 2);
    assert.ok(ev.test_acc > 0 && ev.test_acc <= 1);
  });

  it('--name names the --data-file graph and so its model; a bad --name is a usage error naming data.name', () => {
    const r = gnnops(['train', '--data-file', file, '--name', 'mygraph', 'train.epochs=3', 'train.splits=1', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    assert.equal(j.dataset, 'mygraph');
    assert.equal(j.model_name, 'mygraph-gcn');
    const bad = gnnops(['train', '--data-file', file, '--name', '-x', 'train.epochs=3', '--json']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /data\.name: got "-x", expected a dataset name of 1-64 characters/);
  });

  it('a bad override is a usage error naming the key, not a crash', () => {
    const r = gnnops(['train', '--data-file', file, 'model.hidden=0', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.err, /model\.hidden/);
  });
});

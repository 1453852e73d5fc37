/**
 * `gnnops evaluate` reports the classification and calibration figures of the evaluated weights on test: a
 * registered version is calibrated with the temperature stored with it, a bare checkpoint with one fitted on the
 * split's val mask. Fixture: a 200-node graph from the synthetic WikiCS generator (NOT a real dataset).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeSynthetic } from '../../../src/data/synth.js';
import { Registry } from '../../../src/registry/index.js';
import { openStore } from '../../../src/track/store.js';
import { runCli } from '../_run.js';

interface EvalJson {
  checkpoint: string;
  test_acc: number;
  accuracy: number;
  macro_f1: number;
  per_class: { class: number; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
  ece: number;
  ece_calibrated: number;
  temperature: number;
  temperature_source: 'registered' | 'fitted';
}

const home = mkdtempSync(join(tmpdir(), 'gnnops-cli-evaluate-cls-'));
const file = join(home, 'data.json');
writeSynthetic(file, { nodes: 200, features: 6, seed: 4 });

describe('gnnops evaluate: per-class scores and calibration', () => {
  it('gives accuracy, macro_f1, per_class, confusion, ece, ece_calibrated and temperature', async () => {
    const t = runCli(home, ['train', '--data-file', file, 'data.name=cls', 'train.splits=1', 'train.epochs=20']);
    assert.equal(t.code, 0, t.stderr);

    const r = runCli(home, ['evaluate', '--model', 'cls-gcn/1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as EvalJson;
    const store = await openStore({ home, recover: false });
    const stored = (await new Registry(store).getVersion('cls-gcn', 1)).metrics;
    await store.close();
    assert.equal(j.temperature_source, 'registered');
    assert.equal(j.temperature, stored.temperature);
    assert.equal(j.macro_f1, stored.macro_f1);
    assert.equal(j.ece_calibrated, stored.ece_calibrated);
    assert.ok(Math.abs(j.accuracy - j.test_acc) < 1e-9);
    const c = j.confusion.length;
    assert.equal(j.per_class.length, c);
    assert.ok(j.confusion.every((row) => row.length === c));
    // Supports are the confusion's row sums; recall of class k is its diagonal over its row.
    j.per_class.forEach((s, k) => {
      const row = j.confusion[k].reduce((a, b) => a + b, 0);
      assert.equal(s.support, row);
      assert.ok(Math.abs(s.recall - (row > 0 ? j.confusion[k][k] / row : 0)) < 1e-12);
    });
    assert.ok(j.ece >= 0 && j.ece <= 1 && j.ece_calibrated >= 0 && j.ece_calibrated <= 1);

    // The checkpoint alone has no registered temperature: it is fitted on the same val mask, deterministically,
    // so it comes out the same as the one registered.
    const f = runCli(home, ['evaluate', '--checkpoint', j.checkpoint, '--json']);
    assert.equal(f.code, 0, f.stderr);
    const fj = JSON.parse(f.stdout) as EvalJson;
    assert.equal(fj.temperature_source, 'fitted');
    assert.equal(fj.temperature, j.temperature);
    assert.deepEqual(fj.confusion, j.confusion);

    const text = runCli(home, ['evaluate', '--model', 'cls-gcn/1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /macro-F1 \d\.\d{4}/);
    assert.match(text.stdout, /ECE \d\.\d{4} → \d\.\d{4} at T = \d+\.\d{3} \(registered\)/);
  });
});

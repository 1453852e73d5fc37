/**
 * `gnnops evaluate` end to end: a file graph trained under data.name, then evaluated by registry reference, by
 * default (the only production model) and with the errors when there is no model or more than one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeSynthetic } from '../../../src/data/synth.js';
import { runCli } from '../_run.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-cli-evaluate-'));
const file = join(home, 'data.json');
// A tiny WikiCS-format graph: the test is about names and references, not accuracy.
writeSynthetic(file, { nodes: 120, features: 6, seed: 3 });
const quick = ['train.splits=1', 'train.epochs=3'];

describe('gnnops evaluate (CLI)', () => {
  it('with no model registered, the error says what to pass', () => {
    const r = runCli(home, ['evaluate', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no model to evaluate.*--checkpoint PATH or --model NAME/);
    assert.match(r.stderr, /nothing is registered yet/);
  });

  it('data.name names a data.file graph and its model; a bad name is a usage error naming data.name', () => {
    const t = runCli(home, ['train', '--data-file', file, 'data.name=mygraph', ...quick, '--json']);
    assert.equal(t.code, 0, t.stderr);
    const j = JSON.parse(t.stdout) as { dataset: string; model_name: string; model_version: number };
    assert.equal(j.dataset, 'mygraph');
    assert.equal(j.model_name, 'mygraph-gcn');
    assert.equal(j.model_version, 1);

    const bad = runCli(home, ['train', '--data-file', file, 'data.name=My Graph', ...quick, '--json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /data\.name: got "My Graph", expected a dataset name of 1-64 characters/);
  });

  it('without --model evaluates the only production model, says so, and reports its name and version', () => {
    const r = runCli(home, ['evaluate', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /evaluating mygraph-gcn@production \(mygraph-gcn\/1\), the only production model/);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(j.model_name, 'mygraph-gcn');
    assert.equal(j.model_version, 1);
    assert.equal(j.dataset, 'mygraph');
    assert.match(String(j.dataset_version), /^[0-9a-f]{16}$/);
    assert.ok(typeof j.test_acc === 'number' && j.test_acc >= 0 && j.test_acc <= 1);

    // The same version by reference gives the same numbers, and says nothing about defaults.
    const byRef = runCli(home, ['evaluate', '--model', 'mygraph-gcn/1', '--json']);
    assert.equal(byRef.code, 0, byRef.stderr);
    assert.doesNotMatch(byRef.stderr, /only production model/);
    assert.deepEqual(JSON.parse(byRef.stdout), j);

    // A checkpoint file is not a registered model: no name or version to report.
    const byFile = runCli(home, ['evaluate', '--checkpoint', String(j.checkpoint), '--json']);
    assert.equal(byFile.code, 0, byFile.stderr);
    const f = JSON.parse(byFile.stdout) as Record<string, unknown>;
    assert.equal(f.model_name, null);
    assert.equal(f.model_version, null);
    assert.equal(f.test_acc, j.test_acc);
  });

  it('refuses --model with --checkpoint, an unknown model, and lists the choices when several are in production', () => {
    const both = runCli(home, ['evaluate', '--model', 'mygraph-gcn', '--checkpoint', file]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --model or --checkpoint/);

    const unknown = runCli(home, ['evaluate', '--model', 'nope-gcn@production']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /nope-gcn/);

    const t = runCli(home, ['train', '--data-file', file, 'data.name=second', ...quick, '--json']);
    assert.equal(t.code, 0, t.stderr);
    const r = runCli(home, ['evaluate', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /2 models have a "production" version; pass --model with one of: mygraph-gcn, second-gcn/);
  });
});

/**
 * `gnnops data import` as a user runs it: a CSV pair is imported, `data stats --dataset NAME` and
 * `train data.name=NAME` find it (tiny epochs: the point is that the imported graph trains, not how well), and a
 * malformed file fails with exit code 2, its place in the message, and no dataset left.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../cli/_run.js';
import { planted, writeCsv, writeCsvWithFiles } from './import-fixtures.js';

describe('gnnops data import (CLI)', () => {
  it('imports a CSV pair, then data stats and train use it by name', () => {
    const home = mkdtempSync(join(tmpdir(), 'gnnops-import-cli-'));
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-import-csv-'));
    const p = planted(60, 3, 4);
    const f = writeCsv(dir, p);
    const imp = runCli(home, [
      'data',
      'import',
      '--format',
      'csv',
      '--name',
      'toy',
      '--nodes',
      f.nodes,
      '--edges',
      f.edges,
      '--json',
    ]);
    assert.equal(imp.code, 0, imp.stderr);
    const s = JSON.parse(imp.stdout) as { version: string; nodes: number; split: string; dir: string };
    assert.equal(s.nodes, 60);
    assert.equal(s.split, 'column');

    const st = runCli(home, ['data', 'stats', '--dataset', 'toy', '--json']);
    assert.equal(st.code, 0, st.stderr);
    const stats = JSON.parse(st.stdout) as { nodes: number; dataset: { hash: string }; load: { cache: string } };
    assert.equal(stats.nodes, 60);
    assert.equal(stats.dataset.hash, s.version);
    assert.equal(stats.load.cache, 'hit');

    const tr = runCli(home, [
      'train',
      'data.name=toy',
      'train.splits=1',
      'train.epochs=3',
      'train.patience=3',
      '--json',
    ]);
    assert.equal(tr.code, 0, tr.stderr);
    const run = JSON.parse(tr.stdout) as { dataset: string; dataset_version: string; model_name: string };
    assert.equal(run.dataset, 'toy');
    assert.equal(run.dataset_version, s.version);
    assert.equal(run.model_name, 'toy-gcn');
  });

  it('a malformed node table: exit 2, file:line:column in the message, no dataset; --help explains the layouts', () => {
    const home = mkdtempSync(join(tmpdir(), 'gnnops-import-cli-'));
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-import-csv-'));
    const f = writeCsv(dir, planted(30, 3, 4));
    const lines = readFileSync(f.nodes, 'utf8').split('\n');
    lines[3] = lines[3].replace(/,[^,]*,/, ',NaNish,');
    writeFileSync(f.nodes, lines.join('\n'));
    const r = runCli(home, ['data', 'import', '--format', 'csv', '--name', 'toy', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nodes\.csv:4:2: "NaNish" is not a number/);
    assert.equal(existsSync(join(home, 'data', 'imported', 'toy')), false);
    const t = runCli(home, ['train', 'data.name=toy', 'train.epochs=1']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /imported dataset/);

    const h = runCli(home, ['data', 'import', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /raw\/edge\.csv\.gz/);
    assert.match(h.stdout, /--nodes <file>/);
  });

  it('--features and the split-file flags: a csv import from them; misuse of the flags exits 2 naming the flag', () => {
    const home = mkdtempSync(join(tmpdir(), 'gnnops-import-cli-'));
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-import-csv-'));
    const f = writeCsvWithFiles(dir, planted(30, 3, 4));
    const split = [
      '--train-ids',
      f.splitFiles.train,
      '--valid-ids',
      f.splitFiles.valid,
      '--test-ids',
      f.splitFiles.test,
    ];
    const ok = runCli(home, [
      'data',
      'import',
      '--format',
      'csv',
      '--name',
      'npyfeat',
      dir,
      '--features',
      f.features,
      ...split,
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const s = JSON.parse(ok.stdout) as { features: number; split: string; idMap: boolean };
    assert.deepEqual([s.features, s.split, s.idMap], [4, 'files', true]);

    const partial = runCli(home, [
      'data',
      'import',
      '--format',
      'csv',
      '--name',
      'x',
      dir,
      '--train-ids',
      f.splitFiles.train,
    ]);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /--train-ids, --valid-ids and --test-ids go together/);
    const wrong = runCli(home, ['data', 'import', '--format', 'ogb', '--name', 'x', dir, '--features', f.features]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--features is for --format csv, not ogb/);
    const h = runCli(home, ['data', 'import', '--help']);
    assert.match(h.stdout, /--features <file>/);
    assert.match(h.stdout, /--valid-ids <file>/);
  });
});

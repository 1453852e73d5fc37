/**
 * `gnnops data synth --shape ogbn-*`: small scales of the OGB shapes, checked for the layout the importer reads,
 * the shape's proportions, determinism, and the planted classes (a GCN beats an MLP clearly).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { importDataset } from '../../src/data/import/index.js';
import { writeOgbSynthetic } from '../../src/data/synth-ogb.js';
import { sha256 } from '../../src/util/fs.js';
import { runCli } from '../cli/_run.js';

const fresh = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('data synth --shape (OGB layout)', () => {
  it('writes the arxiv shape at a scale: counts, widths, split proportions; the importer reads it', async () => {
    const out = join(fresh('gnnops-synth-'), 'arxiv');
    const s = writeOgbSynthetic({ shape: 'ogbn-arxiv', out, scale: 0.01 });
    assert.equal(s.nodes, Math.round(169_343 * 0.01));
    assert.equal(s.edges, Math.round(1_166_243 * 0.01));
    assert.equal(s.train + s.valid + s.test, s.nodes);
    assert.equal(s.train, Math.round((s.nodes * 90_941) / 169_343));
    const lines = (f: string) =>
      gunzipSync(readFileSync(join(out, f)))
        .toString('utf8')
        .trimEnd()
        .split('\n');
    const feat = lines('raw/node-feat.csv.gz');
    assert.equal(feat.length, s.nodes);
    assert.equal(feat[0].split(',').length, 128);
    assert.equal(lines('raw/edge.csv.gz').length, s.edges);
    assert.deepEqual(lines('raw/num-node-list.csv.gz'), [String(s.nodes)]);
    assert.equal(lines('split/time/test.csv.gz').length, s.test);

    process.env.GNNOPS_HOME = fresh('gnnops-home-');
    const imp = await importDataset('ogb', out, { name: 'arx', undirected: true });
    assert.equal(imp.nodes, s.nodes);
    assert.equal(imp.features, 128);
    assert.equal(imp.classes, 40);
    assert.equal(imp.split, 'time');
    assert.deepEqual([imp.train, imp.val, imp.test], [s.train, s.valid, s.test]);
    // Planted classes: edges join same-class nodes far more often than the 1/40 of chance.
    assert.ok(imp.stats.homophily.edge > 0.2, String(imp.stats.homophily.edge));
  });

  it('is deterministic for a seed, and another seed gives another graph', () => {
    const dir = fresh('gnnops-synth-');
    const digest = (out: string) =>
      ['raw/edge.csv.gz', 'raw/node-feat.csv.gz', 'raw/node-label.csv.gz'].map((f) =>
        sha256(readFileSync(join(out, f))),
      );
    const a = writeOgbSynthetic({ shape: 'ogbn-products', out: join(dir, 'a'), scale: 0.0005, seed: 3 });
    const b = writeOgbSynthetic({ shape: 'ogbn-products', out: join(dir, 'b'), scale: 0.0005, seed: 3 });
    writeOgbSynthetic({ shape: 'ogbn-products', out: join(dir, 'c'), scale: 0.0005, seed: 4 });
    assert.deepEqual(b, { ...a, out: join(dir, 'b'), files: b.files });
    assert.equal(a.split, 'sales_ranking');
    assert.equal(a.features, 100);
    assert.equal(a.train, Math.round(a.nodes * 0.08));
    assert.deepEqual(digest(join(dir, 'a')), digest(join(dir, 'b')));
    assert.notDeepEqual(digest(join(dir, 'a')), digest(join(dir, 'c')));
  });

  it('through the CLI: a GCN beats an MLP by a wide margin on the planted classes', () => {
    const home = fresh('gnnops-home-');
    const out = join(fresh('gnnops-synth-'), 'arxiv');
    const w = runCli(home, [
      'data',
      'synth',
      '--shape',
      'ogbn-arxiv',
      '--format',
      'ogb',
      '--scale',
      '0.015',
      '--out',
      out,
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /ogbn-arxiv shape × 0\.015: 2540 nodes/);
    assert.equal(runCli(home, ['data', 'import', '--format', 'ogb', '--name', 'arx', out]).code, 0);
    const acc = (model: string) => {
      const r = runCli(home, [
        'train',
        'data.name=arx',
        `model.name=${model}`,
        'train.splits=1',
        'train.epochs=150',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { test_acc_mean: number }).test_acc_mean;
    };
    const gcn = acc('gcn');
    const mlp = acc('mlp');
    assert.ok(gcn > mlp + 0.15, `gcn ${gcn} vs mlp ${mlp}`);
  });

  it('bad flags name the flag and what is allowed', () => {
    const home = fresh('gnnops-home-');
    const out = fresh('gnnops-synth-');
    const cases: [string[], RegExp][] = [
      [['--shape', 'ogbn-mag'], /--shape: "ogbn-mag" is not one of ogbn-arxiv, ogbn-products/],
      [['--shape', 'ogbn-arxiv', '--scale', '2'], /--scale: "2" is not a number in \(0, 1\]/],
      [['--shape', 'ogbn-arxiv', '--format', 'csv'], /--format: "csv" is not a format --shape writes \(only ogb\)/],
      [['--scale', '0.5'], /--scale applies with --shape only/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(home, ['data', 'synth', '--out', out, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
});

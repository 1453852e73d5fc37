import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { generateSynthetic } from '../../src/data/synth.js';
import { coraMissing, coraRawDir, repoRoot } from '../data/shared-data.js';

let home = '';
const work = mkdtempSync(join(tmpdir(), 'gnnops-cli-'));

/** Run the CLI as a user would (dev entry), in a fresh workspace. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'warn', ...env },
    timeout: 240_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const json = (s: string): unknown => JSON.parse(s);

async function closedLoopbackUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

before(() => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-cli-home-'));
});

describe('gnnops data: Cora end to end', { skip: coraMissing }, () => {
  it('download from the shared mirror, then stats: 2708 nodes, 5278 edges, 7 classes, 140/500/1000', () => {
    const d = cli(['data', 'download', '--dataset', 'cora', '--mirror', coraRawDir, '--json']);
    assert.equal(d.code, 0, d.err);
    const dl = json(d.out) as { files: { verified: string }[]; processed: { hash: string } };
    assert.equal(dl.files.length, 8);
    assert.ok(dl.files.every((f) => f.verified === 'sha256'));

    const s = cli(['data', 'stats', '--dataset', 'cora', '--json']);
    assert.equal(s.code, 0, s.err);
    const st = json(s.out) as {
      nodes: number;
      classes: number;
      edges: { undirected: number; selfLoops: number };
      splits: { train: { size: { mean: number } }; val: { size: { mean: number } }; test: { size: number } };
      load: { cache: string };
      dataset: { hash: string };
    };
    assert.equal(st.nodes, 2708);
    assert.equal(st.edges.undirected, 5278);
    assert.equal(st.edges.selfLoops, 0);
    assert.equal(st.classes, 7);
    assert.equal(st.splits.train.size.mean, 140);
    assert.equal(st.splits.val.size.mean, 500);
    assert.equal(st.splits.test.size, 1000);
    assert.equal(st.load.cache, 'hit', 'download built the processed cache');
    assert.equal(st.dataset.hash, dl.processed.hash);
  });

  it('a corrupt processed cache is rebuilt and reported; a corrupt raw file is fetched again', () => {
    const cacheDir = join(home, 'data/cora/processed/undirected-rownorm');
    const bin = readFileSync(join(cacheDir, 'arrays.bin'));
    bin[Math.floor(bin.length / 2)] ^= 0xff;
    writeFileSync(join(cacheDir, 'arrays.bin'), bin);
    const s = cli(['data', 'stats', '--dataset', 'cora', '--mirror', coraRawDir, '--json']);
    assert.equal(s.code, 0, s.err);
    const st = json(s.out) as { load: { cache: string; problem: string }; nodes: number };
    assert.equal(st.load.cache, 'rebuilt');
    assert.match(st.load.problem, /fails its sha256 check/);
    assert.match(s.err, /corrupt/);

    writeFileSync(join(home, 'data/cora/raw/ind.cora.graph'), 'not a pickle');
    const d = cli(['data', 'download', '--dataset', 'cora', '--mirror', coraRawDir, '--json']);
    assert.equal(d.code, 0, d.err);
    const files = (json(d.out) as { files: { name: string; source: string }[] }).files;
    assert.equal(files.find((f) => f.name === 'ind.cora.graph')?.source, 'mirror-dir');
    assert.ok(files.filter((f) => f.name !== 'ind.cora.graph').every((f) => f.source === 'cache'));
  });

  it('a corrupt file on the mirror fails with the checksum error and exit code 2', () => {
    const mirror = mkdtempSync(join(work, 'mirror-'));
    for (const f of readdirSync(coraRawDir)) copyFileSync(join(coraRawDir, f), join(mirror, f));
    writeFileSync(join(mirror, 'ind.cora.ally'), readFileSync(join(mirror, 'ind.cora.ally')).subarray(0, 1000));
    const r = cli(['data', 'download', '--dataset', 'cora', '--mirror', mirror, '--json'], {
      GNNOPS_HOME: mkdtempSync(join(work, 'h-')),
    });
    assert.equal(r.code, 2);
    const e = json(r.out) as { error: { code: string; message: string } };
    assert.equal(e.error.code, 'E_DATA_CHECKSUM');
    assert.match(e.error.message, /ind\.cora\.ally .* fails verification/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  });
});

describe('gnnops data: synthetic WikiCS-format file end to end', () => {
  const file = join(work, 'synthetic.json');
  it('synth writes 11,701 nodes by default; stats loads them with 20 splits, marked synthetic, with charts', () => {
    const g = cli(['data', 'synth', '--out', file, '--seed', '3', '--json']);
    assert.equal(g.code, 0, g.err);
    assert.equal((json(g.out) as { nodes: number }).nodes, 11701);
    const out = join(work, 'charts');
    const s = cli(['data', 'stats', '--data-file', file, '--out', out, '--json']);
    assert.equal(s.code, 0, s.err);
    const st = json(s.out) as {
      nodes: number;
      splits: { count: number };
      dataset: { synthetic: boolean; name: string };
    };
    assert.equal(st.nodes, 11701);
    assert.equal(st.splits.count, 20);
    assert.equal(st.dataset.synthetic, true);
    assert.equal(st.dataset.name, 'synthetic');
    for (const f of ['stats.json', 'class-distribution.svg', 'degree-histogram.svg', 'homophily-per-class.svg']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const human = cli(['data', 'stats', '--data-file', file]);
    assert.equal(human.code, 0);
    assert.match(human.out, /SYNTHETIC/);
    assert.match(human.out, /cache\s+hit/);
  });

  it('data.undirected=false keeps the raw directed links', () => {
    const s = cli(['data', 'stats', '--data-file', file, 'data.undirected=false', '--json']);
    assert.equal(s.code, 0, s.err);
    const st = json(s.out) as { edges: { entries: number; rawLinkEntries: number }; dataset: { undirected: boolean } };
    assert.equal(st.dataset.undirected, false);
    assert.equal(st.edges.entries, st.edges.rawLinkEntries);
  });
});

describe('gnnops data: bad input gives a clear error, not a stack trace', () => {
  const expectError = (args: string[], code: string, pattern: RegExp) => {
    const r = cli([...args, '--json']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    const e = json(r.out) as { error: { code: string; message: string } };
    assert.equal(e.error.code, code);
    assert.match(e.error.message, pattern);
    assert.doesNotMatch(r.err, /\n\s+at /);
  };
  it('labels out of range, link targets out of range, mask lengths, NaN features', () => {
    const base = generateSynthetic({ nodes: 30, features: 3, seed: 1 });
    const write = (name: string, text: string) => {
      const p = join(work, name);
      writeFileSync(p, text);
      return p;
    };
    const label = { ...base, labels: base.labels.map((y, i) => (i === 7 ? -3 : y)) };
    expectError(
      ['data', 'stats', '--data-file', write('label.json', JSON.stringify(label))],
      'E_DATA_INVALID',
      /labels\[7\]: -3/,
    );
    const link = { ...base, links: base.links.map((l, i) => (i === 4 ? [...l, 30] : l)) };
    expectError(
      ['data', 'stats', '--data-file', write('link.json', JSON.stringify(link))],
      'E_DATA_INVALID',
      /links\[4\]\[\d+\]: target 30 is outside 0\.\.29/,
    );
    const mask = { ...base, test_mask: base.test_mask.slice(1) };
    expectError(
      ['data', 'stats', '--data-file', write('mask.json', JSON.stringify(mask))],
      'E_DATA_INVALID',
      /test_mask: has length 29, expected 30/,
    );
    const nan = JSON.stringify(base).replace(/"features":\[\[[-0-9.e]+/, '"features":[[NaN');
    expectError(
      ['data', 'stats', '--data-file', write('nan.json', nan)],
      'E_DATA_INVALID',
      /features\[0\]\[0\]: is NaN/,
    );
    expectError(
      ['data', 'stats', '--data-file', write('broken.json', '{"features": [[1')],
      'E_DATA_INVALID',
      /is not valid JSON/,
    );
  });
  it('bad flags and config values', () => {
    expectError(
      ['data', 'stats', '--dataset', 'imagenet'],
      'E_INVALID_ARGUMENT',
      /--dataset: "imagenet" is not one of wikics, cora, citeseer, pubmed/,
    );
    expectError(
      ['data', 'synth', '--out', join(work, 'x.json'), '--nodes', 'many'],
      'E_INVALID_ARGUMENT',
      /--nodes: "many"/,
    );
    expectError(['data', 'stats', 'data.undirected=maybe'], 'E_CONFIG_INVALID', /data\.undirected/);
    expectError(['data', 'stats', '--data-file', join(work, 'missing.json')], 'E_DATA_NOT_FOUND', /does not exist/);
  });
});

describe('offline', () => {
  it('data download without reachable source names the file and the two ways out', async () => {
    const url = await closedLoopbackUrl();
    const r = cli(['data', 'download', '--dataset', 'wikics', '--mirror', url]);
    assert.equal(r.code, 2);
    assert.match(r.err, /could not download wikics data\.json from http:\/\/127\.0\.0\.1:\d+\/data\.json/);
    assert.match(r.err, /--mirror DIR_OR_URL or GNNOPS_DATA_MIRROR/);
    assert.match(r.err, /--data-file PATH/);
  });

  it('start falls back to a synthetic WikiCS-format graph, says so, and labels it; --no-synthetic fails plainly', async () => {
    const url = await closedLoopbackUrl();
    const env = { GNNOPS_DATA_MIRROR: url, GNNOPS_HOME: mkdtempSync(join(work, 'start-')) };
    // A short training keeps this test about the data fallback; test/cli/start.test.ts covers training and serving.
    const quick = ['--no-serve', 'train.splits=1', 'train.epochs=3', 'train.patience=3'];
    const r = cli(['start', ...quick], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /WikiCS could not be downloaded/);
    assert.match(r.err, /SYNTHETIC WikiCS-format graph .* it is NOT WikiCS/);
    assert.match(r.out, /\*\*\* SYNTHETIC DATA/);
    assert.match(r.out, /11701/);
    assert.match(r.out, /\[SYNTHETIC, not WikiCS\]: test accuracy/);
    const j = cli(['start', '--json', ...quick], env);
    const v = json(j.out) as {
      dataset: string;
      model: string;
      reused: { version: number } | null;
      synthetic: boolean;
      fallback: { reason: string };
      stats: { nodes: number; splits: { count: number } };
    };
    assert.equal(v.synthetic, true);
    assert.equal(v.dataset, 'wikics-synthetic', 'a short name: the generator parameters stay in its folder');
    assert.equal(v.model, 'wikics-synthetic-gcn');
    assert.match(v.fallback.reason, /could not download/);
    assert.equal(v.stats.nodes, 11701);
    assert.equal(v.stats.splits.count, 20);
    assert.equal(v.reused?.version, 1, 'the second start reuses the production model trained on the same data');
    const no = cli(['start', '--no-synthetic'], env);
    assert.equal(no.code, 2);
    assert.match(no.err, /could not download wikics data\.json/);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { dataSection } from '../../src/config/sections/data.js';
import { numEdgeEntries } from '../../src/data/graph.js';
import { fileDatasetName, loadDataset, loadDatasetWithInfo } from '../../src/data/load.js';
import { writeSynthetic } from '../../src/data/synth.js';
import { GnnopsError } from '../../src/util/errors.js';
import { coraMissing, coraRawDir } from './shared-data.js';

const cfg = (v: Record<string, unknown>) => dataSection.parse(v);

beforeEach(() => {
  process.env.GNNOPS_HOME = mkdtempSync(join(tmpdir(), 'gnnops-home-'));
});

describe('loadDataset: Planetoid through a mirror', { skip: coraMissing }, () => {
  it('builds, then serves the verified cache; a corrupt cache is rebuilt to the same graph', async () => {
    const c = cfg({ name: 'cora', mirror: coraRawDir });
    const first = await loadDatasetWithInfo(c, { progress: false });
    assert.equal(first.info.cache, 'built');
    assert.match(first.info.cacheDir, /data\/cora\/processed\/undirected-rownorm$/);
    assert.equal(first.graph.numNodes, 2708);
    assert.equal(numEdgeEntries(first.graph), 10556);
    // Planetoid is row-normalised by default.
    const row = first.graph.features.subarray(0, 1433);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);

    const second = await loadDatasetWithInfo(c, { progress: false });
    assert.equal(second.info.cache, 'hit');
    assert.equal(second.graph.hash, first.graph.hash);
    assert.deepEqual(second.graph.features, first.graph.features);

    const bin = join(first.info.cacheDir, 'arrays.bin');
    const bytes = readFileSync(bin);
    bytes[1000] ^= 0x10;
    writeFileSync(bin, bytes);
    const third = await loadDatasetWithInfo(c, { progress: false });
    assert.equal(third.info.cache, 'rebuilt');
    assert.match(third.info.problem ?? '', /array features fails its sha256 check/);
    assert.equal(third.graph.hash, first.graph.hash);
  });

  it('variants are cached apart: raw features, directed links', async () => {
    const a = await loadDatasetWithInfo(cfg({ name: 'cora', mirror: coraRawDir, normalize_features: false }), {
      progress: false,
    });
    assert.match(a.info.cacheDir, /processed\/undirected$/);
    assert.equal(a.graph.features[a.graph.features.indexOf(1)], 1);
    const d = await loadDataset(
      cfg({ name: 'cora', mirror: coraRawDir, undirected: false, normalize_features: false }),
      { progress: false },
    );
    assert.equal(numEdgeEntries(d), 10858);
    assert.notEqual(d.hash, a.graph.hash);
  });
});

describe('loadDataset: a WikiCS-format data.file', () => {
  it('loads the generated file under its stem, caches it, and rebuilds when the file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-file-'));
    const path = join(dir, 'synthetic-small.json');
    writeSynthetic(path, { nodes: 500, features: 10, seed: 11 });
    const c = cfg({ file: path });
    const first = await loadDatasetWithInfo(c);
    assert.equal(first.info.cache, 'built');
    assert.equal(first.graph.name, 'synthetic-small');
    assert.equal(first.graph.synthetic, true);
    assert.equal(first.graph.splits.length, 20);
    assert.equal(first.graph.stoppingMask, 'stopping');
    assert.match(first.info.cacheDir, /processed\/undirected$/, 'WikiCS-format data is not row-normalised by default');
    assert.equal((await loadDatasetWithInfo(c)).info.cache, 'hit');

    writeSynthetic(path, { nodes: 500, features: 10, seed: 12 });
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const changed = await loadDatasetWithInfo(c);
    assert.equal(changed.info.cache, 'built');
    assert.notEqual(changed.graph.hash, first.graph.hash);
  });

  it('names a missing file', async () => {
    await assert.rejects(
      loadDataset(cfg({ file: '/nonexistent/x.json' })),
      (e: unknown) =>
        e instanceof GnnopsError &&
        e.code === 'E_DATA_NOT_FOUND' &&
        /data\.file: \/nonexistent\/x\.json does not exist/.test(e.message),
    );
  });

  it('derives the dataset name from the file stem', () => {
    assert.equal(fileDatasetName('/a/b/My Graph.json'), 'my-graph');
    assert.equal(fileDatasetName('/a/data.json'), 'custom');
    // data.name names the file's graph unless it is a built-in's name (the default wikics included).
    assert.equal(fileDatasetName('/a/data.json', 'mygraph'), 'mygraph');
    assert.equal(fileDatasetName('/a/b/My Graph.json', 'wikics'), 'my-graph');
  });

  it('data.name with data.file names the loaded graph and keeps its own cache', async () => {
    const file = join(process.env.GNNOPS_HOME!, 'data.json');
    writeSynthetic(file, { nodes: 60, features: 4, seed: 2 });
    const named = await loadDatasetWithInfo(cfg({ file, name: 'mygraph' }), { progress: false });
    assert.equal(named.graph.name, 'mygraph');
    const again = await loadDatasetWithInfo(cfg({ file, name: 'mygraph' }), { progress: false });
    assert.equal(again.info.cache, 'hit');
    assert.equal(again.graph.name, 'mygraph');
    // Another name for the same file is not served the first name from the cache.
    const other = await loadDatasetWithInfo(cfg({ file, name: 'other.v2' }), { progress: false });
    assert.equal(other.graph.name, 'other.v2');
    assert.equal((await loadDataset(cfg({ file }), { progress: false })).name, 'custom');
  });

  it('data.name: a bad name, a free name without data.file, or a built-in name on a file is rejected on data.name', () => {
    const issues = (v: Record<string, unknown>) => {
      const r = dataSection.safeParse(v);
      assert.equal(r.success, false, JSON.stringify(v));
      return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.match(issues({ file: '/x.json', name: 'My Graph' })[0]!, /^name: .*a-z 0-9 \. _ -/);
    assert.match(issues({ file: '/x.json', name: 'x'.repeat(65) })[0]!, /^name: /);
    assert.match(
      issues({ name: 'mygraph' })[0]!,
      /^name: one of wikics, cora, citeseer, pubmed, ogbn-arxiv, ogbn-products .*data\.file/,
    );
    assert.match(issues({ file: '/x.json', name: 'cora' })[0]!, /^name: .*"cora" is the built-in dataset/);
    assert.equal(cfg({ name: 'pubmed' }).name, 'pubmed');
    assert.equal(cfg({ file: '/x.json' }).name, 'wikics');
  });
});

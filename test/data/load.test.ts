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
  });
});

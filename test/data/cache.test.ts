import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCache, writeCache } from '../../src/data/cache.js';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import type { GraphData } from '../../src/data/graph.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { GnnopsError } from '../../src/util/errors.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gnnops-cache-'));
const graph = (): GraphData => {
  const g = wikicsFromJson(generateSynthetic({ nodes: 300, features: 7, seed: 5, splits: 3 }), {
    metadata: {
      classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
      titles: Array.from({ length: 300 }, (_, i) => `t${i}`),
    },
  });
  return g;
};
const corrupt = (pattern: RegExp) => (e: unknown) =>
  e instanceof GnnopsError && e.code === 'E_CACHE_CORRUPT' && pattern.test(e.message);

describe('processed cache', () => {
  it('round-trips every array, the metadata and the hash', () => {
    const dir = fresh();
    const g = graph();
    writeCache(dir, g, { k: 1 });
    const back = readCache(dir, { k: 1 });
    assert.ok(back);
    assert.equal(back.hash, g.hash);
    assert.deepEqual(back.features, g.features);
    assert.deepEqual(back.labels, g.labels);
    assert.deepEqual(back.indptr, g.indptr);
    assert.deepEqual(back.indices, g.indices);
    assert.deepEqual(back.testMask, g.testMask);
    assert.equal(back.splits.length, 3);
    for (let s = 0; s < 3; s++) assert.deepEqual(back.splits[s], g.splits[s]);
    assert.deepEqual(back.classNames, g.classNames);
    assert.deepEqual(back.titles, g.titles);
    assert.equal(back.synthetic, true);
    assert.equal(back.selfLoops, g.selfLoops);
    assert.equal(back.rawEdgeEntries, g.rawEdgeEntries);
    assert.equal(back.stoppingMask, 'stopping');
  });

  it('reads the CSR into shared memory (one copy for the sampling threads) and the features into ordinary memory', () => {
    const dir = fresh();
    writeCache(dir, graph(), { k: 1 });
    const back = readCache(dir, { k: 1 });
    assert.ok(back);
    assert.ok(back.indptr.buffer instanceof SharedArrayBuffer && back.indices.buffer instanceof SharedArrayBuffer);
    assert.ok(back.features.buffer instanceof ArrayBuffer && back.labels.buffer instanceof ArrayBuffer);
    // The sampler's loader shares these arrays as they are instead of copying them.
    assert.equal(back.indices.byteOffset, 0);
  });

  it('is absent or stale rather than wrong: no folder, other input', () => {
    const dir = fresh();
    assert.equal(readCache(dir), undefined);
    writeCache(dir, graph(), { k: 1 });
    assert.equal(readCache(dir, { k: 2 }), undefined);
    assert.equal(readCache(dir, { k: 1, extra: true }), undefined);
  });

  it('detects a flipped byte, naming the array', () => {
    const dir = fresh();
    const g = graph();
    const m = writeCache(dir, g, {});
    const bin = readFileSync(join(dir, 'arrays.bin'));
    const idx = m.arrays.find((a) => a.name === 'indices');
    assert.ok(idx);
    bin[idx.offset + 5] ^= 1;
    writeFileSync(join(dir, 'arrays.bin'), bin);
    assert.throws(() => readCache(dir), corrupt(/array indices fails its sha256 check/));
  });

  it('detects truncation, a broken manifest and edited shape facts', () => {
    const dir = fresh();
    const m = writeCache(dir, graph(), {});
    truncateSync(join(dir, 'arrays.bin'), m.bytes - 8);
    assert.throws(() => readCache(dir), corrupt(/arrays\.bin has \d+ bytes, the manifest says/));

    const d2 = fresh();
    writeCache(d2, graph(), {});
    const text = readFileSync(join(d2, 'manifest.json'), 'utf8');
    writeFileSync(join(d2, 'manifest.json'), text.slice(0, 100));
    assert.throws(() => readCache(d2), corrupt(/manifest\.json is not valid JSON/));

    writeFileSync(join(d2, 'manifest.json'), text.replace('"numClasses": 10', '"numClasses": 9'));
    assert.throws(() => readCache(d2), corrupt(/do not reproduce the content hash/));

    writeFileSync(join(d2, 'manifest.json'), text);
    writeFileSync(join(d2, 'titles.json'), JSON.stringify(['x']));
    assert.throws(() => readCache(d2), corrupt(/titles\.json fails its sha256 check/));
  });

  it('refuses to write a graph whose hash does not match its arrays', () => {
    const g = graph();
    g.labels[0] = (g.labels[0] + 1) % 10;
    assert.throws(() => writeCache(fresh(), g, {}), /does not match its arrays/);
  });
});

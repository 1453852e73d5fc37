/**
 * `data download --dataset ogbn-*` without the internet: a loopback HTTP server serves zips generated in OGB's
 * layout (the planted graph of import-fixtures, packed as OGB packs it: one top-level folder named after the
 * download). The real declarations are exercised through the mirror; a small declaration made by the same factory
 * exercises the canonical-URL path end to end.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dataSection } from '../../src/config/sections/data.js';
import { OGB_SPECS, ogbAccuracy, ogbSource } from '../../src/data/datasets/ogb.js';
import { downloadDataset } from '../../src/data/download.js';
import { loadDatasetWithInfo } from '../../src/data/load.js';
import { rawFilesFor } from '../../src/data/sources.js';
import { GnnopsError } from '../../src/util/errors.js';
import { planted, writeOgb, zip } from './import-fixtures.js';

const cfg = (v: Record<string, unknown>) => dataSection.parse(v);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The planted graph in the OGB layout, zipped under `<stem>/` as OGB's archives are. */
function ogbZip(stem: string, p = planted(60, 3, 4)): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'gnnops-ogbzip-'));
  writeOgb(join(dir, stem), p, true, stem === 'products' ? 'sales_ranking' : 'time');
  const members: Record<string, Buffer> = {};
  for (const f of walk(dir)) members[relative(dir, f)] = readFileSync(f);
  return zip(members, true);
}

const p = planted(60, 3, 4);
const served: Record<string, Buffer> = {};
let server: Server;
let base = '';

before(async () => {
  served['arxiv.zip'] = ogbZip('arxiv', p);
  served['products.zip'] = ogbZip('products', p);
  // One byte of the first member's compressed data flipped: the archive still opens, the CRC-32 check fails.
  const bad = Buffer.from(served['arxiv.zip']);
  bad[30 + bad.readUInt16LE(26) + 5] ^= 0xff;
  served['bad/arxiv.zip'] = bad;
  server = createServer((req, res) => {
    const body = served[(req.url ?? '/').slice(1)];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
beforeEach(() => {
  process.env.GNNOPS_HOME = mkdtempSync(join(tmpdir(), 'gnnops-home-'));
});

/** A declaration of the planted graph's own facts, at the loopback URL. */
const small = (url: string) =>
  ogbSource({ ...OGB_SPECS['ogbn-arxiv'], url, nodes: p.n, edges: p.edges.length, classes: 3, features: 4 });

describe('OGB datasets by name', () => {
  it('declare the canonical URLs of OGB master.csv, verified by the CRC-32 of every member', () => {
    assert.deepEqual(rawFilesFor('ogbn-arxiv'), [
      { name: 'arxiv.zip', url: 'https://snap.stanford.edu/ogb/data/nodeproppred/arxiv.zip', zip: {} },
    ]);
    assert.equal(rawFilesFor('ogbn-products')[0].url, 'https://snap.stanford.edu/ogb/data/nodeproppred/products.zip');
    assert.equal(OGB_SPECS['ogbn-products'].nodes, 2_449_029);
    assert.equal(OGB_SPECS['ogbn-arxiv'].classes, 40);
  });

  it('download, verify, unzip into the OGB raw layout and import from the canonical URL; then the cache serves it', async () => {
    const source = small(`${base}/arxiv.zip`);
    const first = await loadDatasetWithInfo(cfg({ name: 'ogbn-arxiv' }), { source, progress: false });
    assert.equal(first.info.cache, 'built');
    assert.equal(first.info.download?.files[0].verified, 'zip-crc32');
    assert.equal(first.info.download?.files[0].source, 'canonical');
    const raw = first.info.rawDir ?? '';
    for (const f of ['raw/edge.csv.gz', 'raw/node-feat.csv.gz', 'raw/num-node-list.csv.gz', 'split/time/test.csv.gz']) {
      assert.ok(existsSync(join(raw, 'arxiv', f)), f);
    }
    const g = first.graph;
    assert.equal(g.numNodes, 60);
    assert.equal(g.numClasses, 3);
    assert.equal(g.source, `${base}/arxiv.zip`);
    assert.deepEqual(Array.from(g.labels), p.labels);
    assert.equal(
      g.testMask.reduce((a, b) => a + b, 0),
      p.test.length,
    );
    const again = await loadDatasetWithInfo(cfg({ name: 'ogbn-arxiv' }), { source, progress: false });
    assert.equal(again.info.cache, 'hit');
    assert.equal(again.graph.hash, g.hash);
  });

  it('a damaged archive fails its CRC-32 check, naming the member, and leaves no file behind', async () => {
    const rawDir = mkdtempSync(join(tmpdir(), 'gnnops-raw-'));
    await assert.rejects(downloadDataset(small(`${base}/bad/arxiv.zip`), { rawDir, progress: false }), (e: unknown) => {
      assert.ok(e instanceof GnnopsError && e.code === 'E_DATA_CHECKSUM', String(e));
      assert.match(
        e.message,
        /arxiv\.zip from http:.*fails verification: .*zip member arxiv\/.* (does not inflate|fails verification)/,
      );
      return true;
    });
    assert.deepEqual(readdirSync(rawDir), []);
  });

  it('the real declaration refuses an archive whose graph is not ogbn-arxiv, naming the count', async () => {
    const dl = await downloadDataset('ogbn-arxiv', { mirror: base, progress: false });
    assert.equal(dl.files[0].source, 'mirror-url');
    await assert.rejects(
      loadDatasetWithInfo(cfg({ name: 'ogbn-arxiv', mirror: base }), { progress: false }),
      (e: unknown) => {
        assert.ok(e instanceof GnnopsError && e.code === 'E_DATA_CHECKSUM', String(e));
        assert.match(e.message, /ogbn-arxiv: the archive .* holds 60 nodes; ogbn-arxiv has 169343/);
        return true;
      },
    );
    // products unpacks its own split folder name.
    await assert.rejects(
      loadDatasetWithInfo(cfg({ name: 'ogbn-products', mirror: base }), { progress: false }),
      /ogbn-products: the archive .* holds 60 nodes; ogbn-products has 2449029/,
    );
  });

  it('offline, the error names the URL and the ways out', async () => {
    await assert.rejects(
      downloadDataset('ogbn-arxiv', { mirror: `${base}/nowhere`, progress: false }),
      /could not download ogbn-arxiv arxiv\.zip from http:.*\/nowhere\/arxiv\.zip .*HTTP 404.*gnnops data import --format ogb/,
    );
  });
});

describe("OGB's Evaluator accuracy", () => {
  it('is the share of correct predictions over the labelled rows', () => {
    assert.deepEqual(ogbAccuracy([0, 1, 2, 2], [0, 1, 1, 2]), { acc: 0.75 });
    // A row without a label (OGB's NaN, -1 here) is not counted.
    assert.deepEqual(ogbAccuracy([0, -1, 2, 2], [0, 1, 1, 2]), { acc: 2 / 3 });
    assert.throws(() => ogbAccuracy([0, 1], [0]), /y_true has 2 rows and y_pred 1/);
    assert.throws(() => ogbAccuracy([-1], [0]), /no labelled row/);
  });
});

import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadDataset } from '../../src/data/download.js';
import { PLANETOID_SHA256, rawFilesFor } from '../../src/data/sources.js';
import { GnnopsError } from '../../src/util/errors.js';
import { sha256 } from '../../src/util/fs.js';
import { coraMissing, coraRawDir } from './shared-data.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gnnops-dl-'));
const isCode = (code: string, pattern?: RegExp) => (e: unknown) =>
  e instanceof GnnopsError && e.code === code && (!pattern || pattern.test(e.message));

describe('download sources', () => {
  it('lists the eight Planetoid files with sha256 and WikiCS with git blob ids', () => {
    const cora = rawFilesFor('cora');
    assert.equal(cora.length, 8);
    assert.ok(cora.every((f) => f.url.startsWith('https://github.com/kimiyoung/planetoid/raw/master/data/ind.cora.')));
    assert.ok(rawFilesFor('pubmed').every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? '')));
    const w = rawFilesFor('wikics');
    assert.equal(w[0].url, 'https://github.com/pmernyei/wiki-cs-dataset/raw/master/dataset/data.json');
    assert.equal(w[0].gitBlob, 'f1b743119df1a7a3bca449039c54034ae623a756');
    assert.equal(w[1].optional, true);
  });

  it('the embedded Cora sums match the real files', { skip: coraMissing }, () => {
    for (const f of rawFilesFor('cora'))
      assert.equal(sha256(readFileSync(join(coraRawDir, f.name))), PLANETOID_SHA256[f.name], f.name);
  });
});

describe('download from a mirror folder', { skip: coraMissing }, () => {
  it('copies and verifies every file, then serves them from the raw folder', async () => {
    const rawDir = fresh();
    const r = await downloadDataset('cora', { mirror: coraRawDir, rawDir, progress: false });
    assert.equal(r.files.length, 8);
    assert.ok(r.files.every((f) => f.source === 'mirror-dir' && f.verified === 'sha256'));
    assert.deepEqual(
      readdirSync(rawDir).sort(),
      rawFilesFor('cora')
        .map((f) => f.name)
        .sort(),
      'no .part files left',
    );
    const again = await downloadDataset('cora', { mirror: coraRawDir, rawDir, progress: false });
    assert.ok(again.files.every((f) => f.source === 'cache'));
  });

  it('detects a truncated raw file and fetches it again', async () => {
    const rawDir = fresh();
    await downloadDataset('cora', { mirror: coraRawDir, rawDir, progress: false });
    truncateSync(join(rawDir, 'ind.cora.graph'), 1000);
    const r = await downloadDataset('cora', { mirror: coraRawDir, rawDir, progress: false });
    assert.equal(r.files.find((f) => f.name === 'ind.cora.graph')?.source, 'mirror-dir');
    assert.equal(sha256(readFileSync(join(rawDir, 'ind.cora.graph'))), PLANETOID_SHA256['ind.cora.graph']);
  });

  it('refuses a corrupt mirror file, naming it, and keeps nothing of it', async () => {
    const mirror = fresh();
    for (const f of rawFilesFor('cora')) copyFileSync(join(coraRawDir, f.name), join(mirror, f.name));
    const bad = readFileSync(join(mirror, 'ind.cora.tx'));
    bad[500] ^= 0xff;
    writeFileSync(join(mirror, 'ind.cora.tx'), bad);
    const rawDir = fresh();
    await assert.rejects(
      downloadDataset('cora', { mirror, rawDir, progress: false }),
      isCode('E_DATA_CHECKSUM', /ind\.cora\.tx from .* fails verification: sha256 [0-9a-f]{64}, expected b9afbaa4/),
    );
    assert.ok(!existsSync(join(rawDir, 'ind.cora.tx')) && !existsSync(join(rawDir, 'ind.cora.tx.part')));
  });

  it('names the missing file or folder of a mirror', async () => {
    await assert.rejects(
      downloadDataset('cora', { mirror: fresh(), rawDir: fresh(), progress: false }),
      isCode('E_DATA_NOT_FOUND', /has no file ind\.cora\.x, needed for cora/),
    );
    await assert.rejects(
      downloadDataset('cora', { mirror: join(fresh(), 'nope'), rawDir: fresh(), progress: false }),
      isCode('E_DATA_NOT_FOUND', /does not exist/),
    );
  });

  it('takes the mirror from GNNOPS_DATA_MIRROR', async () => {
    process.env.GNNOPS_DATA_MIRROR = coraRawDir;
    try {
      const r = await downloadDataset('cora', { rawDir: fresh(), progress: false });
      assert.ok(r.files.every((f) => f.source === 'mirror-dir'));
    } finally {
      delete process.env.GNNOPS_DATA_MIRROR;
    }
  });
});

describe('download over HTTP from a loopback mirror', { skip: coraMissing }, () => {
  let server: Server;
  let base = '';
  const ranges: string[] = [];
  let truncateServed = false;
  before(async () => {
    server = createServer((req, res) => {
      const name = (req.url ?? '/').slice(1);
      const path = join(coraRawDir, name);
      if (!/^ind\.cora\.[a-z.]+$/.test(name) || !existsSync(path)) {
        res.writeHead(404).end('not found');
        return;
      }
      let body = readFileSync(path);
      if (truncateServed) body = body.subarray(0, body.length - 10);
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) {
        ranges.push(`${name}:${range[1]}`);
        const start = Number(range[1]);
        res.writeHead(206, {
          'content-length': body.length - start,
          'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        });
        res.end(body.subarray(start));
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('downloads and verifies every file', async () => {
    const rawDir = fresh();
    const r = await downloadDataset('cora', { mirror: base, rawDir, progress: false });
    assert.ok(r.files.every((f) => f.source === 'mirror-url' && f.from.startsWith(base)));
    assert.equal(sha256(readFileSync(join(rawDir, 'ind.cora.allx'))), PLANETOID_SHA256['ind.cora.allx']);
  });

  it('resumes a partial download with a Range request', async () => {
    const rawDir = fresh();
    const full = readFileSync(join(coraRawDir, 'ind.cora.allx'));
    writeFileSync(join(rawDir, 'ind.cora.allx.part'), full.subarray(0, 100_000));
    ranges.length = 0;
    await downloadDataset('cora', { mirror: `${base}/`, rawDir, progress: false });
    assert.deepEqual(ranges, ['ind.cora.allx:100000']);
    assert.equal(sha256(readFileSync(join(rawDir, 'ind.cora.allx'))), PLANETOID_SHA256['ind.cora.allx']);
  });

  it('a foreign part file spoils the resume: the whole file is fetched again', async () => {
    const rawDir = fresh();
    writeFileSync(join(rawDir, 'ind.cora.tx.part'), Buffer.alloc(5000, 7));
    ranges.length = 0;
    const r = await downloadDataset('cora', { mirror: base, rawDir, progress: false });
    assert.deepEqual(ranges, ['ind.cora.tx:5000'], 'it tried to resume first');
    assert.equal(r.files.find((f) => f.name === 'ind.cora.tx')?.verified, 'sha256');
    assert.equal(sha256(readFileSync(join(rawDir, 'ind.cora.tx'))), PLANETOID_SHA256['ind.cora.tx']);
  });

  it('rejects a truncated download and drops the part file', async () => {
    const rawDir = fresh();
    truncateServed = true;
    try {
      await assert.rejects(
        downloadDataset('cora', { mirror: base, rawDir, progress: false }),
        isCode('E_DATA_CHECKSUM', /ind\.cora\.x from http:\/\/127\.0\.0\.1/),
      );
    } finally {
      truncateServed = false;
    }
    assert.ok(!existsSync(join(rawDir, 'ind.cora.x.part')));
  });

  it('reports an HTTP error with the URL', async () => {
    await assert.rejects(
      downloadDataset('wikics', { mirror: base, rawDir: fresh(), progress: false }),
      isCode('E_DOWNLOAD_FAILED', /data\.json from http:\/\/127\.0\.0\.1:\d+\/data\.json .*HTTP 404/),
    );
  });
});

describe('offline', () => {
  it('an unreachable mirror gives a clear message with the two ways out', async () => {
    // A loopback port that was just free: nothing listens, the connection is refused at once.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `http://127.0.0.1:${port}`;
    await assert.rejects(downloadDataset('wikics', { mirror: url, rawDir: fresh(), progress: false }), (e: unknown) => {
      assert.ok(e instanceof GnnopsError && e.code === 'E_DOWNLOAD_FAILED');
      assert.ok(e.message.startsWith(`could not download wikics data.json from ${url}/data.json`), e.message);
      assert.match(e.message, /ECONNREFUSED.*--mirror DIR_OR_URL or GNNOPS_DATA_MIRROR.*--data-file PATH/);
      return true;
    });
  });

  it('without a mirror, the canonical URL fails plainly when there is no network', async (t) => {
    const online = await lookup('github.com').then(
      () => true,
      () => false,
    );
    if (online) {
      t.skip('github.com resolves: this machine is online, the offline path cannot be exercised');
      return;
    }
    await assert.rejects(
      downloadDataset('cora', { rawDir: fresh(), progress: false }),
      isCode(
        'E_DOWNLOAD_FAILED',
        /could not download cora ind\.cora\.x from https:\/\/github\.com\/kimiyoung\/planetoid\/raw\/master\/data\/ind\.cora\.x \(the canonical source\).*Two ways out/,
      ),
    );
  });
});

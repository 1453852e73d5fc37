// The S3 backend against s3rver (an S3-compatible server from npm) on 127.0.0.1: real HTTP, the real AWS SDK.
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { S3Storage } from '../../src/storage/s3.js';
import { isGnnopsError } from '../../src/util/errors.js';
import { storageContract } from './contract.js';

function desMissing(): string | false {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return false;
  } catch {
    return 's3rver needs the DES cipher for continuation tokens; this OpenSSL does not provide it';
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gnnops-storage-s3-'));
let server: S3rver | undefined;
let endpoint = '';
const clients: S3Storage[] = [];
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function open(prefix = 'gnnops/', listPageSize?: number): S3Storage {
  const s = new S3Storage({ bucket: 'artifacts', prefix, endpoint, forcePathStyle: true, credentials, listPageSize });
  clients.push(s);
  return s;
}

describe('S3Storage against a local s3rver', () => {
  before(async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'artifacts' }],
    });
    const addr = await server.run();
    endpoint = `http://127.0.0.1:${addr.port}`;
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  storageContract(() => open());

  // s3rver 3.7 encrypts continuation tokens with DES, which OpenSSL 3 (Node 20+) no longer provides, so its second
  // page is an HTTP 500; the test runs where the cipher exists (it is probed, not assumed).
  it('lists more than one page (ListObjectsV2 continuation)', { skip: desMissing() }, async () => {
    const s = open('paged/', 3);
    const keys = Array.from({ length: 8 }, (_, i) => `k/${String(i).padStart(2, '0')}`);
    for (const k of keys) await s.put(k, Uint8Array.of(1));
    assert.deepEqual(await s.list('k/'), keys);
  });

  it('prefixes isolate stores sharing a bucket', async () => {
    const a = open('a/');
    const b = open('b/');
    await a.put('same', Uint8Array.of(1));
    assert.equal(await b.exists('same'), false);
    assert.deepEqual(await a.list(), ['same']);
  });

  it('an unreachable endpoint is a REMOTE_FAILED GnnopsError naming the bucket and key', async () => {
    const s = new S3Storage({
      bucket: 'artifacts',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials,
    });
    clients.push(s);
    await assert.rejects(s.put('x', Uint8Array.of(1)), (e: unknown) => {
      assert.ok(isGnnopsError(e));
      assert.equal(e.code, 'E_REMOTE_FAILED');
      assert.match(e.message, /s3:\/\/artifacts\/x/);
      return true;
    });
  });
});

/**
 * Shared artifact storage chosen by URL: GNNOPS_STORAGE_URL parsing, which storage a process uses, and blobs
 * published from one workspace's artifact store and fetched (digest-checked) into another's, over a folder and over
 * S3 (s3rver on 127.0.0.1 with the real AWS SDK).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import S3rver from 's3rver';
import { storageSection } from '../../src/config/sections/storage.js';
import { LocalStorage, parseStorageUrl, S3Storage, sharedStorage } from '../../src/storage/index.js';
import { fetchMissingBlobs, publishBlobs } from '../../src/storage/sync.js';
import { ArtifactStore } from '../../src/track/cas.js';
import { ErrorCodes, isGnnopsError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-storage-sync-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rejectsWith(code: string, pattern: RegExp) {
  return (e: unknown) => isGnnopsError(e) && e.code === code && pattern.test(e.message);
}

describe('parseStorageUrl', () => {
  it('file:///PATH is a local folder; s3://BUCKET/PREFIX takes endpoint, region and path_style', () => {
    assert.deepEqual(parseStorageUrl('file:///srv/gnnops%20objects'), {
      backend: 'local',
      root: '/srv/gnnops objects',
      prefix: '',
      region: 'us-east-1',
      force_path_style: false,
    });
    assert.deepEqual(
      parseStorageUrl(
        's3://team-artifacts/gnnops/prod?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=true',
      ),
      {
        backend: 's3',
        bucket: 'team-artifacts',
        prefix: 'gnnops/prod',
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        force_path_style: true,
      },
    );
    const bare = parseStorageUrl('s3://bucket');
    assert.equal(bare.prefix, '');
    assert.equal(bare.force_path_style, false);
    // What the URL gives is a valid storage section.
    assert.doesNotThrow(() => storageSection.parse(bare));
  });

  it('names the variable and what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not a url', /GNNOPS_STORAGE_URL: not a URL/],
      ['gs://bucket/x', /unsupported scheme "gs:"/],
      ['file://host/path', /file URLs name no host/],
      ['s3://ab', /shorter than 3 characters/],
      ['s3://key:secret@bucket/x', /credentials do not go in the URL/],
      ['s3://bucket/x?regoin=eu', /unknown option "regoin"/],
      ['s3://bucket/x?path_style=yes', /path_style must be true or false/],
      ['s3://bucket/x?endpoint=nope', /endpoint "nope" is not a URL/],
    ];
    for (const [raw, re] of cases)
      assert.throws(() => parseStorageUrl(raw), rejectsWith(ErrorCodes.CONFIG_INVALID, re), raw);
  });
});

describe('sharedStorage', () => {
  it('is none by default, the section when it names somewhere else, and GNNOPS_STORAGE_URL above both', () => {
    const defaults = storageSection.parse({});
    assert.equal(sharedStorage(defaults, {}), null);
    assert.equal(sharedStorage(undefined, {}), null);
    const section = sharedStorage(storageSection.parse({ root: join(dir, 'section') }), {});
    assert.ok(section instanceof LocalStorage && section.root === join(dir, 'section'));
    const env = sharedStorage(storageSection.parse({ root: join(dir, 'section') }), {
      GNNOPS_STORAGE_URL: pathToFileURL(join(dir, 'env')).href,
    });
    assert.ok(env instanceof LocalStorage && env.root === join(dir, 'env'));
    const s3 = sharedStorage(defaults, { GNNOPS_STORAGE_URL: 's3://bucket/p?endpoint=http://127.0.0.1:1' });
    assert.ok(s3 instanceof S3Storage && s3.bucket === 'bucket');
    s3.destroy();
  });
});

/** Two workspaces' artifact stores and the URL of the storage they share. */
function workspaces(name: string) {
  const a = new ArtifactStore(join(dir, name, 'a'));
  const b = new ArtifactStore(join(dir, name, 'b'));
  return { a, b };
}

describe('publishing and fetching blobs through a shared folder', () => {
  const shared = join(dir, 'folder', 'shared');
  const env = { GNNOPS_STORAGE_URL: pathToFileURL(shared).href };
  let saved: string | undefined;
  before(() => {
    saved = process.env.GNNOPS_STORAGE_URL;
    process.env.GNNOPS_STORAGE_URL = env.GNNOPS_STORAGE_URL;
  });
  after(() => {
    if (saved === undefined) delete process.env.GNNOPS_STORAGE_URL;
    else process.env.GNNOPS_STORAGE_URL = saved;
  });

  it('a blob published by A is fetched by B once, byte for byte; published twice it is sent once', async () => {
    const { a, b } = workspaces('folder');
    const one = a.putBytes(Buffer.from('checkpoint bytes'));
    const two = a.putBytes(Buffer.from('profile bytes'));
    assert.deepEqual(await publishBlobs(a, [one.digest, two.digest, one.digest, null]), { sent: 2, total: 2 });
    assert.deepEqual(await publishBlobs(a, [one.digest, two.digest]), { sent: 0, total: 2 });
    assert.equal(b.has(one.digest), false);
    assert.equal(await fetchMissingBlobs(b, [one.digest, two.digest, undefined]), 2);
    assert.equal(b.read(one.digest).toString(), 'checkpoint bytes');
    assert.equal(b.read(two.digest).toString(), 'profile bytes');
    assert.equal(await fetchMissingBlobs(b, [one.digest]), 0);
  });

  it('refuses a blob whose bytes in storage do not hash to the registered digest, and stores nothing', async () => {
    const { a, b } = workspaces('tampered');
    const blob = a.putBytes(Buffer.from('the real weights'));
    await publishBlobs(a, [blob.digest]);
    const key = join(shared, 'sha256', blob.digest.slice(0, 2), blob.digest.slice(2));
    writeFileSync(key, 'tampered weights');
    await assert.rejects(
      fetchMissingBlobs(b, [blob.digest], undefined, 'm/1'),
      rejectsWith(ErrorCodes.CACHE_CORRUPT, new RegExp(`blob ${blob.digest} has SHA-256 [0-9a-f]{64}; refusing`)),
    );
    assert.equal(b.has(blob.digest), false);
  });

  it('a blob in neither place says where it looked', async () => {
    const { b } = workspaces('absent');
    const digest = 'ab'.repeat(32);
    await assert.rejects(
      fetchMissingBlobs(b, [digest], undefined, 'cora-gcn/3'),
      rejectsWith(
        ErrorCodes.NOT_FOUND,
        /cora-gcn\/3 sha256 (ab){32} is neither in this workspace nor in the shared storage \(local\)/,
      ),
    );
  });

  it('with no shared storage configured, a missing blob names the variable to set', async () => {
    const { b } = workspaces('unconfigured');
    delete process.env.GNNOPS_STORAGE_URL;
    try {
      await assert.rejects(
        fetchMissingBlobs(b, ['cd'.repeat(32)], storageSection.parse({}), 'cora-gcn/3'),
        rejectsWith(
          ErrorCodes.NOT_FOUND,
          /is not in this workspace .* no shared artifact storage is configured: set GNNOPS_STORAGE_URL/,
        ),
      );
      assert.equal(await publishBlobs(b, ['cd'.repeat(32)], storageSection.parse({})), null);
    } finally {
      process.env.GNNOPS_STORAGE_URL = env.GNNOPS_STORAGE_URL;
    }
  });
});

describe('publishing and fetching blobs through S3 (s3rver)', () => {
  const s3dir = join(dir, 's3rver');
  let server: S3rver | undefined;
  const saved = { ...process.env };
  before(async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3dir,
      configureBuckets: [{ name: 'team' }],
    });
    const addr = await server.run();
    // Credentials reach the AWS SDK through its usual environment variables, never through the URL.
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    process.env.GNNOPS_STORAGE_URL = `s3://team/gnnops?endpoint=http://127.0.0.1:${addr.port}&path_style=true`;
  });
  after(async () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GNNOPS_STORAGE_URL'])
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    await server?.close();
  });

  it('A publishes under the URL prefix, B fetches and verifies', async () => {
    const { a, b } = workspaces('s3');
    const blob = a.putBytes(Buffer.from('weights over S3'));
    assert.deepEqual(await publishBlobs(a, [blob.digest]), { sent: 1, total: 1 });
    assert.ok(existsSync(join(s3dir, 'team')), 'the bucket folder of s3rver');
    assert.ok(readdirSync(join(s3dir, 'team')).includes('gnnops'), 'objects live under the URL prefix');
    assert.equal(await fetchMissingBlobs(b, [blob.digest]), 1);
    assert.equal(b.read(blob.digest).toString(), 'weights over S3');
  });
});

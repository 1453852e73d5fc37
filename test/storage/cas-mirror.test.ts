import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { CasMirror, LocalStorage, S3Storage } from '../../src/storage/index.js';
import { ArtifactStore } from '../../src/track/cas.js';
import { sha256 } from '../../src/util/fs.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-cas-mirror-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CasMirror (tracking CAS ↔ object storage)', () => {
  it('pushes a blob once under sha256/ab/cd… and pulls it into another machine’s CAS', async () => {
    const remote = new LocalStorage(join(dir, 'bucket'));
    const a = new CasMirror(new ArtifactStore(join(dir, 'a')), remote);
    const b = new CasMirror(new ArtifactStore(join(dir, 'b')), remote);
    const blob = a.cas.putBytes(new TextEncoder().encode('checkpoint bytes'));
    assert.equal(await a.push(blob.digest), true);
    assert.equal(await a.push(blob.digest), false, 'second push skips an existing key');
    assert.deepEqual(await remote.list(), [`sha256/${blob.digest.slice(0, 2)}/${blob.digest.slice(2)}`]);
    assert.deepEqual(await a.remoteDigests(), [blob.digest]);
    assert.equal(b.cas.has(blob.digest), false);
    assert.equal(await b.pull(blob.digest), true);
    assert.equal(new TextDecoder().decode(b.cas.read(blob.digest)), 'checkpoint bytes');
    assert.equal(await b.pull(blob.digest), false, 'already present');
  });

  it('refuses a remote blob whose bytes do not hash to its key', async () => {
    const remote = new LocalStorage(join(dir, 'bucket2'));
    const m = new CasMirror(new ArtifactStore(join(dir, 'c')), remote);
    const digest = sha256('the real content');
    await remote.put(CasMirror.keyOf(digest), new TextEncoder().encode('tampered'));
    await assert.rejects(m.pull(digest), /refusing to store it/);
    assert.equal(m.cas.has(digest), false);
    assert.throws(() => CasMirror.keyOf('abc'), /expected 64 hex digits/);
  });
});

describe('S3Storage listing', () => {
  it('follows ListObjectsV2 continuation tokens across pages and strips the prefix', async () => {
    const all = ['p/k/0', 'p/k/1', 'p/k/2', 'p/k/3', 'p/k/4'];
    const calls: { token?: string; max?: number; prefix?: string }[] = [];
    // A stand-in for the SDK client: pages of 2 keys, as S3 returns them with MaxKeys=2
    const client = {
      send: async (cmd: { input: { ContinuationToken?: string; MaxKeys?: number; Prefix?: string } }) => {
        const { ContinuationToken: token, MaxKeys: max = 1000, Prefix: prefix } = cmd.input;
        calls.push({ token, max, prefix });
        const start = token ? Number(token) : 0;
        const page = all.slice(start, start + max);
        const more = start + max < all.length;
        return {
          Contents: page.map((Key) => ({ Key })),
          IsTruncated: more,
          NextContinuationToken: more ? String(start + max) : undefined,
        };
      },
    } as unknown as S3Client;
    const s = new S3Storage({ bucket: 'b', prefix: 'p', client, listPageSize: 2 });
    assert.deepEqual(await s.list('k/'), ['k/0', 'k/1', 'k/2', 'k/3', 'k/4']);
    assert.deepEqual(
      calls.map((c) => c.token),
      [undefined, '2', '4'],
    );
    assert.ok(calls.every((c) => c.max === 2 && c.prefix === 'p/k/'));
  });
});

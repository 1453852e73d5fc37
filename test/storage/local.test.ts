import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storageSection } from '../../src/config/sections/storage.js';
import { LocalStorage, openStorage, S3Storage } from '../../src/storage/index.js';
import { checkKey } from '../../src/storage/keys.js';
import { storageContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-storage-local-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe('LocalStorage', () => {
  storageContract(() => new LocalStorage(join(dir, `s${n++}`), 'pre/fix'));

  it('stores objects as files under root/prefix and leaves no temp files', async () => {
    const root = join(dir, 'layout');
    const s = new LocalStorage(root, 'gnnops/');
    await s.put('a/b.txt', new TextEncoder().encode('hi'));
    assert.ok(existsSync(join(root, 'gnnops', 'a', 'b.txt')));
    assert.deepEqual(readdirSync(join(root, 'gnnops', 'a')), ['b.txt']);
  });
});

describe('openStorage (storage config section)', () => {
  it('defaults to the local backend under <home>/objects', async () => {
    const cfg = storageSection.parse({});
    assert.equal(cfg.backend, 'local');
    const s = openStorage(cfg, join(dir, 'home'));
    assert.ok(s instanceof LocalStorage);
    await s.put('k', Uint8Array.of(7));
    assert.ok(existsSync(join(dir, 'home', 'objects', 'k')));
  });

  it('s3 needs a bucket, and builds an S3 client otherwise', () => {
    assert.throws(() => openStorage(storageSection.parse({ backend: 's3' })), /storage\.bucket: required/);
    const s = openStorage(
      storageSection.parse({ backend: 's3', bucket: 'b-1', endpoint: 'http://127.0.0.1:9', force_path_style: true }),
    );
    assert.ok(s instanceof S3Storage);
    (s as S3Storage).destroy();
  });

  it('rejects unknown backends and keys', () => {
    assert.equal(storageSection.safeParse({ backend: 'ftp' }).success, false);
    assert.equal(storageSection.safeParse({ backend: 'local', bukket: 'x' }).success, false);
    assert.throws(() => checkKey('x'.repeat(1025)), /1025 characters long, the limit is 1024/);
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ObjectStorage } from '../../src/storage/types.js';
import { isGnnopsError } from '../../src/util/errors.js';

/** The ObjectStorage contract, run against each backend. */
export function storageContract(open: () => ObjectStorage): void {
  it('put/get round-trips bytes, including empty and binary objects', async () => {
    const s = open();
    const bin = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    await s.put('models/a/1.bin', bin);
    await s.put('empty', new Uint8Array(0));
    assert.deepEqual(await s.get('models/a/1.bin'), bin);
    assert.equal((await s.get('empty')).byteLength, 0);
  });

  it('put replaces an object', async () => {
    const s = open();
    await s.put('x/replace', new TextEncoder().encode('old'));
    await s.put('x/replace', new TextEncoder().encode('new!'));
    assert.equal(new TextDecoder().decode(await s.get('x/replace')), 'new!');
  });

  it('exists, list by prefix (sorted), delete (idempotent)', async () => {
    const s = open();
    for (const k of ['l/b', 'l/a', 'l/c/d', 'other']) await s.put(k, Uint8Array.of(1));
    assert.equal(await s.exists('l/a'), true);
    assert.equal(await s.exists('l/zzz'), false);
    assert.deepEqual(await s.list('l/'), ['l/a', 'l/b', 'l/c/d']);
    await s.delete('l/b');
    await s.delete('l/b');
    assert.equal(await s.exists('l/b'), false);
    assert.deepEqual(await s.list('l/'), ['l/a', 'l/c/d']);
  });

  it('get of a missing key is a NOT_FOUND GnnopsError naming the key', async () => {
    const s = open();
    await assert.rejects(s.get('missing/key'), (e: unknown) => {
      assert.ok(isGnnopsError(e));
      assert.equal(e.code, 'E_NOT_FOUND');
      assert.match(e.message, /missing\/key/);
      return true;
    });
  });

  it('rejects keys that could escape the store', async () => {
    const s = open();
    for (const k of ['', '../x', 'a//b', '/abs', 'a/./b', 'a\\b', 'a\u0000b']) {
      await assert.rejects(s.put(k, Uint8Array.of(1)), /storage key/, JSON.stringify(k));
    }
  });
}

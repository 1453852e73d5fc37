/**
 * Original node ids: the resolving rule (a string is an original id, an integer an index; a graph without ids of
 * its own has the decimal indices as ids), the errors that name the place and the id, and the id map's place in
 * the verified cache and in the content hash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCache, writeCache } from '../../src/data/cache.js';
import { withHash } from '../../src/data/hash.js';
import { originalNodeId, parseNodeList, resolveNodeRef, resolveNodeRefs } from '../../src/data/node-ids.js';
import { tinyGraph } from '../train/_fixtures.js';

const mapped = { name: 'papers', numNodes: 4, nodeIds: ['paper-1', 'paper-17', '42', 'x y'] };
const plain: { name: string; numNodes: number; nodeIds?: string[] } = { name: 'cora', numNodes: 4 };

describe('resolving node ids', () => {
  it('strings are original ids, integers indices; a graph without ids takes decimal strings as indices', () => {
    assert.deepEqual([...resolveNodeRefs(['paper-17', 'x y', 0, '42', 2], mapped)], [1, 3, 0, 2, 2]);
    assert.deepEqual([...resolveNodeRefs(['3', 0, '0'], plain)], [3, 0, 0]);
    assert.equal(originalNodeId(mapped, 1), 'paper-17');
    assert.equal(originalNodeId(plain, 1), 1);
  });

  it('an unknown id names its place and the id; an index out of range names the limit', () => {
    assert.throws(
      () => resolveNodeRefs(['paper-1', 'paper-99'], mapped),
      (e: Error & { code?: string; details?: Record<string, unknown> }) =>
        /^node_ids\[1\]: unknown node id "paper-99": no node of dataset papers has this id$/.test(e.message) &&
        e.code === 'E_INVALID_ARGUMENT' &&
        e.details?.field === 'node_ids[1]' &&
        e.details?.value === 'paper-99',
    );
    // An integer is an index even where the ids are numeric text: 42 is not the node whose id is "42".
    assert.throws(
      () => resolveNodeRef(42, mapped, 'node'),
      /node: unknown node id 42: the graph of dataset papers has 4 nodes \(valid 0\.\.3\)/,
    );
    assert.throws(
      () => resolveNodeRef('paper-1', plain, '--nodes'),
      /--nodes: unknown node id "paper-1": the graph of dataset cora has no ids of its own, its nodes are 0\.\.3/,
    );
    assert.throws(() => resolveNodeRef('4', plain, 'n'), /unknown node id "4"/);
    assert.throws(
      () => resolveNodeRef('01', plain, 'n'),
      /unknown node id "01"/,
      'only canonical decimals are indices',
    );
    assert.throws(() => resolveNodeRef(1.5, plain, 'n'), /n: 1\.5 is not an integer node id/);
  });

  it('a comma-separated list keeps ids as text; an empty entry is refused', () => {
    assert.deepEqual(parseNodeList('paper-1, 42,x y', '--nodes'), ['paper-1', '42', 'x y']);
    assert.throws(() => parseNodeList('a,,b', '--nodes'), /--nodes: "a,,b" is not a comma-separated list/);
  });
});

describe('the id map in the cache', () => {
  const base = tinyGraph(30, 3, 5);
  const ids = Array.from({ length: 30 }, (_, i) => `node-${(i * 7) % 30}-${i}`);
  const { hash: _h, ...rest } = base;
  const withIds = withHash({ ...rest, nodeIds: ids });

  it('is written, verified and read back; it is part of the dataset version', () => {
    assert.notEqual(withIds.hash, base.hash, 'the same arrays with an id map are another version');
    assert.equal(withHash(rest).hash, base.hash, 'a graph without ids keeps its version');
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-ids-cache-'));
    const m = writeCache(dir, withIds, { kind: 'test' });
    assert.match(m.idsSha256 ?? '', /^[0-9a-f]{64}$/);
    const back = readCache(dir);
    assert.deepEqual(back?.nodeIds, ids);
    assert.equal(back?.hash, withIds.hash);
    const other = withHash({ ...rest, nodeIds: ids.map((s, i) => (i === 3 ? 'renamed' : s)) });
    assert.notEqual(other.hash, withIds.hash, 'another id map, another version');
  });

  it('a changed or missing ids.json is a corrupt cache, never a silently different map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-ids-cache-'));
    writeCache(dir, withIds, { kind: 'test' });
    const file = join(dir, 'ids.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('node-0-0', 'node-X-0'));
    assert.throws(() => readCache(dir), /ids\.json fails its sha256 check/);
    writeFileSync(file, text);
    assert.deepEqual(readCache(dir)?.nodeIds, ids);
  });
});

/**
 * Two workspaces that share the registry and one artifact storage URL, but no files: a model trained and
 * registered in A is evaluated and served from B, which fetches the checkpoint and drift profile from the storage
 * and checks their digests. The registry is shared here by copying A's database file (the PostgreSQL store is how
 * a team shares it for real); what is under test is that no artifact file travels with it.
 * Fixture: a 150-node synthetic WikiCS-format graph (NOT real data): the test is about where files live.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { writeSynthetic } from '../../src/data/synth.js';
import { loadServedModel } from '../../src/serve/loader.js';
import { runCli } from './_run.js';

const root = mkdtempSync(join(tmpdir(), 'gnnops-shared-storage-'));
after(() => rmSync(root, { recursive: true, force: true }));
const [homeA, homeB, homeC, homeD] = ['a', 'b', 'c', 'd'].map((n) => join(root, n));
const shared = join(root, 'objects');
const env = { GNNOPS_STORAGE_URL: pathToFileURL(shared).href };
const file = join(root, 'graph.json');
writeSynthetic(file, { nodes: 150, features: 6, seed: 5 });

function blobs(home: string): string[] {
  const d = join(home, 'artifacts', 'sha256');
  return existsSync(d)
    ? readdirSync(d, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}

describe('a registered version is usable from a workspace that holds none of its files', () => {
  it('A trains with GNNOPS_STORAGE_URL set; B (registry only) evaluates it, fetching the checkpoint', () => {
    const t = runCli(
      homeA,
      ['train', '--data-file', file, 'data.name=tiny', 'train.splits=1', 'train.epochs=5', '--json'],
      env,
    );
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout) as { model_name: string; model_version: number };
    assert.equal(trained.model_name, 'tiny-gcn');
    // checkpoint, report, two charts and the drift profile are in the shared storage
    assert.ok(existsSync(join(shared, 'sha256')), 'objects were published');
    const published = readdirSync(join(shared, 'sha256'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    assert.equal(published.length, 5, published.map((e) => e.name).join(', '));

    for (const home of [homeB, homeC, homeD]) {
      mkdirSync(home, { recursive: true });
      copyFileSync(join(homeA, 'gnnops.db'), join(home, 'gnnops.db'));
    }
    assert.deepEqual(blobs(homeB), []);
    const inA = runCli(homeA, ['evaluate', '--model', 'tiny-gcn/1', '--json']);
    assert.equal(inA.code, 0, inA.stderr);
    const inB = runCli(homeB, ['evaluate', '--model', 'tiny-gcn/1', '--json'], env);
    assert.equal(inB.code, 0, inB.stderr);
    const a = JSON.parse(inA.stdout) as Record<string, unknown>;
    const b = JSON.parse(inB.stdout) as Record<string, unknown>;
    assert.equal(b.test_acc, a.test_acc);
    assert.deepEqual(b.confusion, a.confusion);
    assert.equal(blobs(homeB).length, 1, 'B fetched the checkpoint only');
  });

  it('without the storage URL, B-like workspace C is told what is missing and what to set', () => {
    const r = runCli(homeC, ['evaluate', '--model', 'tiny-gcn/1', '--json'], { GNNOPS_STORAGE_URL: '' });
    assert.equal(r.code === 0, false);
    assert.match(r.stderr, /tiny-gcn\/1 sha256 [0-9a-f]{64} is not in this workspace .* set GNNOPS_STORAGE_URL/);
  });

  it('a server in workspace D loads the version, fetching its checkpoint and drift profile', async () => {
    process.env.GNNOPS_HOME = homeD;
    process.env.GNNOPS_STORAGE_URL = env.GNNOPS_STORAGE_URL;
    const m = await loadServedModel('tiny-gcn/1');
    assert.equal(m.name, 'tiny-gcn');
    assert.equal(m.version, '1');
    assert.equal(blobs(homeD).length, 2);
    const p = await m.predictNodes(Int32Array.of(0, 1));
    assert.equal(p.length, 2 * m.numClasses);
  });
});

/**
 * Two workspaces (different GNNOPS_HOME) that share nothing but a PostgreSQL store URL and an artifact storage
 * folder URL: a model trained in A is listed, its run shown, and evaluated by alias in B, which fetches the
 * checkpoint from the storage. And a store that cannot be reached fails with its URL, without the password, and
 * the cause. Fixture: a 150-node synthetic WikiCS-format graph (NOT real data): the test is about where state lives.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { writeSynthetic } from '../../src/data/synth.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';
import { runCli } from './_run.js';

const root = mkdtempSync(join(tmpdir(), 'gnnops-shared-store-'));
const [homeA, homeB] = ['a', 'b'].map((n) => join(root, n));
const file = join(root, 'graph.json');

function blobs(home: string): string[] {
  const d = join(home, 'artifacts', 'sha256');
  return existsSync(d)
    ? readdirSync(d, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}

describe('two workspaces sharing one PostgreSQL store and one storage URL', { skip: PG_SKIP }, () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  before(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    env = { GNNOPS_DATABASE_URL: db.url, GNNOPS_STORAGE_URL: pathToFileURL(join(root, 'objects')).href };
    writeSynthetic(file, { nodes: 150, features: 6, seed: 5 });
  });
  after(async () => {
    await drop?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('a model trained in A is listed, its run shown and evaluated as NAME@production in B', () => {
    const t = runCli(
      homeA,
      ['train', '--data-file', file, 'data.name=tiny', 'train.splits=1', 'train.epochs=5', '--json'],
      env,
    );
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout) as { model_name: string; model_version: number; run_id: string };
    assert.equal(trained.model_name, 'tiny-gcn');
    assert.equal(trained.model_version, 1);
    assert.equal(existsSync(join(homeA, 'gnnops.db')), false, 'A keeps no store of its own');

    const models = runCli(homeB, ['models', 'list', '--json'], env);
    assert.equal(models.code, 0, models.stderr);
    const list = JSON.parse(models.stdout) as {
      name: string;
      latestVersion: number;
      aliases: Record<string, number>;
    }[];
    assert.deepEqual(
      list.map((m) => [m.name, m.latestVersion, m.aliases.production]),
      [['tiny-gcn', 1, 1]],
    );

    const runs = runCli(homeB, ['runs', 'list', '--json'], env);
    assert.equal(runs.code, 0, runs.stderr);
    const seen = JSON.parse(runs.stdout) as { id: string; status: string; datasetName: string }[];
    assert.deepEqual(
      seen.map((r) => [r.id, r.status]),
      [[trained.run_id, 'finished']],
    );
    const shown = runCli(homeB, ['runs', 'show', trained.run_id.slice(0, 8), '--json'], env);
    assert.equal(shown.code, 0, shown.stderr);
    const detail = JSON.parse(shown.stdout) as {
      lineage: { modelVersions: { model: string; version: number }[] };
      metrics: Record<string, { value: number }>;
    };
    assert.deepEqual(detail.lineage.modelVersions, [{ model: 'tiny-gcn', version: 1 }]);
    assert.ok(Number.isFinite(detail.metrics.test_acc_mean?.value));

    assert.deepEqual(blobs(homeB), []);
    const inA = runCli(homeA, ['evaluate', '--model', 'tiny-gcn@production', '--json'], env);
    assert.equal(inA.code, 0, inA.stderr);
    const inB = runCli(homeB, ['evaluate', '--model', 'tiny-gcn@production', '--json'], env);
    assert.equal(inB.code, 0, inB.stderr);
    const a = JSON.parse(inA.stdout) as Record<string, unknown>;
    const b = JSON.parse(inB.stdout) as Record<string, unknown>;
    assert.equal(b.test_acc, a.test_acc);
    assert.deepEqual(b.confusion, a.confusion);
    assert.equal(blobs(homeB).length, 1, 'B fetched the checkpoint from the storage');
    assert.equal(existsSync(join(homeB, 'gnnops.db')), false, 'B keeps no store of its own');
  });
});

describe('a store that cannot be reached', () => {
  it('fails the command with the URL without its password, and the cause', async () => {
    // A port nobody listens on: bound, then released.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const home = mkdtempSync(join(tmpdir(), 'gnnops-unreachable-'));
    try {
      const url = `postgres://gnnops:hunter2@127.0.0.1:${port}/gnnops`;
      const r = runCli(home, ['models', 'list'], { GNNOPS_DATABASE_URL: url });
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(`cannot reach the store postgres://gnnops:\\*\\*\\*@127\\.0\\.0\\.1:${port}/gnnops`),
      );
      assert.match(r.stderr, /ECONNREFUSED/);
      assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { sqliteBackend } from './backends.js';
import { trackingContract } from './contract.js';

trackingContract(sqliteBackend());

describe('the embedded SQLite store', () => {
  let home: string;
  let store: Store;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'gnnops-track-'));
    store = await openStore({ home });
  });
  after(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('is the workspace file, in WAL mode, on one connection with its raw handle', async () => {
    assert.equal(store.path, join(home, 'gnnops.db'));
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    // Tracking applies its own migrations only; the registry, sweeps and the request log apply theirs.
    assert.deepEqual(await store.schemaVersions(), ['track/1', 'track/2']);
    // What the portable store writes, the raw connection sees at once: it is the same connection.
    const run = await new Tracker(store).startRun({ git: null });
    const row = store.db.prepare('SELECT status FROM runs WHERE id = ?').get(run.id) as { status: string };
    assert.equal(row.status, 'running');
    await run.end();
  });

  test("a package's migrations are applied once", async () => {
    const m = [{ id: 'test/1', sql: 'CREATE TABLE extra (x INTEGER)' }];
    assert.deepEqual(await store.migrate(m), ['test/1']);
    const again = await openStore({ home });
    assert.deepEqual(await again.migrate(m), [], 'another handle finds it recorded');
    await again.close();
  });

  test('a synchronous loop sees its metric batches written while it runs', async () => {
    const run = await new Tracker(store, { tuning: { flushEvery: 10, flushMs: 60_000 } }).startRun({ git: null });
    const other = new (await import('better-sqlite3')).default(store.path!, { readonly: true });
    try {
      // No await between the log calls and the read: only an immediate write can make the rows visible.
      for (let i = 0; i < 25; i++) run.logMetric('m', i);
      const n = (other.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(run.id) as { n: number }).n;
      assert.equal(n, 20, 'two full batches are committed, the last 5 points wait');
    } finally {
      other.close();
    }
    await run.end();
  });

  test('GNNOPS_DATABASE_URL takes precedence over store.url', async () => {
    const other = join(home, 'elsewhere.db');
    const prev = process.env.GNNOPS_DATABASE_URL;
    process.env.GNNOPS_DATABASE_URL = `sqlite:${other}`;
    try {
      const s = await openStore({ home, url: `sqlite:${join(home, 'ignored.db')}` });
      assert.equal(s.path, other);
      await s.close();
    } finally {
      if (prev === undefined) delete process.env.GNNOPS_DATABASE_URL;
      else process.env.GNNOPS_DATABASE_URL = prev;
    }
    const s = await openStore({ home, url: 'sqlite:mine.db' });
    assert.equal(s.path, join(home, 'mine.db'), 'a relative store.url resolves against the workspace');
    await s.close();
  });
});

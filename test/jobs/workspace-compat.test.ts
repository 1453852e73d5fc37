import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { appliedMigrations, parseDatabaseUrl } from '../../src/db/index.js';
import { storePackages } from '../../src/jobs/store-migrate.js';
import { openLogStore } from '../../src/monitor/log-store.js';
import { readCheckpoint } from '../../src/nn/checkpoint.js';
import { Registry } from '../../src/registry/registry.js';
import { readRequestLog } from '../../src/request-log/reader.js';
import { SweepStore } from '../../src/sweep/store.js';
import { listRuns } from '../../src/track/queries.js';
import { openStore } from '../../src/track/store.js';

/** Every package's migrations: what a workspace reaches once each package has opened it. */
const everyPackage = storePackages.flatMap((p) => p.migrations);
const fixture = join(import.meta.dirname, '../fixtures/workspace-main');
const home = mkdtempSync(join(tmpdir(), 'gnnops-compat-'));
after(async () => rmSync(home, { recursive: true, force: true }));

describe('a workspace written by main', () => {
  it('opens with every package migrated, keeps its runs and registry, and a fresh workspace reaches the same schema', async () => {
    cpSync(fixture, home, { recursive: true });
    const store = await openStore({ home, recover: false });
    try {
      await store.migrate(everyPackage);
      const registry = new Registry(store);
      assert.deepEqual(await new SweepStore(store).list(), []);
      const runs = await listRuns(store.sql, {});
      assert.equal(runs.length, 1);
      const v = await registry.resolve('g-gcn@production');
      assert.equal(v.version, 1);
      assert.equal(v.runId, runs[0]?.id);
      // The checkpoint is a content-addressed blob of this copy of the workspace.
      assert.ok(v.checkpointPath.startsWith(home), v.checkpointPath);
      const ckpt = readCheckpoint(v.checkpointPath);
      assert.equal(ckpt.meta.model.name, 'gcn');
      const old = await store.schemaVersions();

      const freshHome = mkdtempSync(join(tmpdir(), 'gnnops-fresh-'));
      const fresh = await openStore({ home: freshHome });
      await fresh.migrate(everyPackage);
      const tables = (s: typeof store) =>
        s.db
          .prepare<[], { name: string; sql: string }>(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
          )
          .all();
      assert.deepEqual(tables(fresh), tables(store));
      assert.deepEqual([...(await fresh.schemaVersions())].sort(), [...old].sort());
      await fresh.close();
      rmSync(freshHome, { recursive: true, force: true });
    } finally {
      await store.close();
    }
  });

  it('adds the request log temperature and replica columns, reading rows logged before them as served raw (T = 1) by the one server', async () => {
    const oldHome = mkdtempSync(join(tmpdir(), 'gnnops-compat-log-'));
    try {
      cpSync(fixture, oldHome, { recursive: true });
      // A row as main's request_log (serve/1) holds it, written before the temperature column exists.
      const raw = new Database(join(oldHome, 'gnnops.db'));
      const cols = () =>
        raw
          .prepare<[], { name: string }>('PRAGMA table_info(request_log)')
          .all()
          .map((c) => c.name);
      assert.ok(!cols().includes('temperature'));
      const blob = (a: Float32Array | Int32Array) => Buffer.from(a.buffer);
      raw
        .prepare(
          `INSERT INTO request_log (ts, request_id, item, route, model, version, kind, num_nodes, num_edges,
            num_features, mean_degree, max_degree, sampled, features, node_ids, degrees, predictions, confidence,
            inference_ms) VALUES (1000, 'old', 0, '/predict', 'g-gcn', '1', 'subgraph', 2, 1, 6, 0.5, 1, 0, NULL,
            NULL, ?, ?, ?, 0.2)`,
        )
        .run(blob(Int32Array.of(0, 1)), blob(Int32Array.of(2, 0)), blob(Float32Array.of(0.75, 0.5)));
      await raw.close();

      const log = await openLogStore(parseDatabaseUrl('sqlite:', oldHome));
      try {
        const applied = await appliedMigrations(log.db);
        assert.ok(applied.includes('serve/2') && applied.includes('serve/4') && applied.includes('monitor/1'));
        const [row] = await readRequestLog(log.db, {});
        assert.equal(row?.requestId, 'old');
        assert.equal(row?.temperature, 1);
        assert.equal(row?.replica, '', 'rows logged before replicas existed have an empty replica');
        assert.deepEqual([...(row?.confidence ?? [])], [0.75, 0.5]);
      } finally {
        await log.db.close();
      }
    } finally {
      rmSync(oldHome, { recursive: true, force: true });
    }
  });
});

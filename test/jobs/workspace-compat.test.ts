import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCheckpoint } from '../../src/nn/checkpoint.js';
import { Registry } from '../../src/registry/registry.js';
import { requestLogMigrations } from '../../src/request-log/schema.js';
import { SweepStore, sweepMigrations } from '../../src/sweep/store.js';
import { listRuns } from '../../src/track/queries.js';
import { openStore } from '../../src/track/store.js';

const fixture = join(import.meta.dirname, '../fixtures/workspace-main');
const home = mkdtempSync(join(tmpdir(), 'gnnops-compat-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('a workspace written by main', () => {
  it('opens with every package migrated, keeps its runs and registry, and a fresh workspace reaches the same schema', () => {
    cpSync(fixture, home, { recursive: true });
    const store = openStore({ home, recover: false, migrations: [...sweepMigrations, ...requestLogMigrations] });
    try {
      const registry = new Registry(store);
      new SweepStore(store);
      const runs = listRuns(store.db, {});
      assert.equal(runs.length, 1);
      const v = registry.resolve('g-gcn@production');
      assert.equal(v.version, 1);
      assert.equal(v.runId, runs[0]?.id);
      // The checkpoint is a content-addressed blob of this copy of the workspace.
      assert.ok(v.checkpointPath.startsWith(home), v.checkpointPath);
      const ckpt = readCheckpoint(v.checkpointPath);
      assert.equal(ckpt.meta.model.name, 'gcn');
      const old = store.schemaVersions();

      const freshHome = mkdtempSync(join(tmpdir(), 'gnnops-fresh-'));
      const fresh = openStore({ home: freshHome, migrations: [...sweepMigrations, ...requestLogMigrations] });
      new Registry(fresh);
      const tables = (s: typeof store) =>
        s.db
          .prepare<[], { name: string; sql: string }>(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
          )
          .all();
      assert.deepEqual(tables(fresh), tables(store));
      assert.deepEqual([...fresh.schemaVersions()].sort(), [...old].sort());
      fresh.close();
      rmSync(freshHome, { recursive: true, force: true });
    } finally {
      store.close();
    }
  });
});

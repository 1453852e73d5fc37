/**
 * `gnnops store migrate` on two workspaces: the one main wrote before each package owned its migrations
 * (test/fixtures/workspace-main) and one trained here on a 150-node synthetic graph (NOT real data: the test is about
 * where state lives). Each goes into a second SQLite file and into a fresh PostgreSQL database (skipped without
 * GNNOPS_TEST_POSTGRES); afterwards `models list` and `runs list` against the target show what the workspace showed,
 * a rerun copies nothing, and verification fails loudly on an extra row or a damaged blob.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { writeSynthetic } from '../../src/data/synth.js';
import type { StoreMigrateReport } from '../../src/jobs/store-migrate.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';
import { runCli } from './_run.js';

const root = mkdtempSync(join(tmpdir(), 'gnnops-store-migrate-'));
const fixture = join(import.meta.dirname, '../fixtures/workspace-main');
const file = join(root, 'graph.json');
const drops: (() => Promise<void>)[] = [];

/** A workspace with its own SQLite store only: the migrate source, never pointed elsewhere. */
const local = { GNNOPS_DATABASE_URL: '', GNNOPS_STORAGE_URL: '' };

function migrateJson(
  home: string,
  args: string[],
): { code: number | null; report: StoreMigrateReport; stderr: string } {
  const r = runCli(home, ['store', 'migrate', ...args, '--json'], local);
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as StoreMigrateReport, stderr: r.stderr };
}

function listing(home: string, env: Record<string, string>): { models: unknown; runs: unknown } {
  const models = runCli(home, ['models', 'list', '--json'], env);
  assert.equal(models.code, 0, models.stderr);
  const runs = runCli(home, ['runs', 'list', '--json'], env);
  assert.equal(runs.code, 0, runs.stderr);
  return { models: JSON.parse(models.stdout), runs: JSON.parse(runs.stdout) };
}

function blobFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Migrate home into target twice and check the copy, the rerun and what the target lists. */
function migrateAndCheck(home: string, to: string, storage: string, extra: string[] = []): StoreMigrateReport {
  const before = listing(home, local);
  const first = migrateJson(home, ['--to', to, '--storage-to', storage, ...extra]);
  assert.equal(first.code, 0, first.stderr);
  const r = first.report;
  assert.equal(r.ok, true, r.mismatch ?? '');
  for (const t of r.tables) {
    if (t.skipped) continue;
    assert.equal(t.target, t.source, `${t.table} rows`);
    assert.equal(t.copied + t.present, t.source, `${t.table} copied + present`);
    assert.equal(t.present, 0, `${t.table}: a fresh target holds nothing yet`);
  }
  const rows = (name: string) => r.tables.find((t) => t.table === name);
  assert.ok((rows('runs')?.copied ?? 0) >= 1);
  assert.ok((rows('model_versions')?.copied ?? 0) >= 1);
  assert.ok((rows('alias_audit')?.copied ?? 0) >= 1, 'the audit history travels');
  assert.ok((rows('metrics')?.copied ?? 0) > 0);
  assert.ok(r.blobs && r.blobs.referenced >= 2, 'at least a checkpoint and a reference profile');
  assert.equal(r.blobs?.uploaded, r.blobs?.referenced);
  assert.equal(blobFiles(new URL(storage).pathname).length, r.blobs?.referenced);

  const again = migrateJson(home, ['--to', to, '--storage-to', storage, ...extra]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.report.applied, []);
  for (const t of again.report.tables) {
    if (t.skipped) continue;
    assert.equal(t.copied, 0, `${t.table}: a rerun copies nothing`);
    assert.equal(t.present, t.source);
    assert.equal(t.target, t.source);
  }
  assert.deepEqual(again.report.blobs, { referenced: r.blobs?.referenced, uploaded: 0, present: r.blobs?.referenced });

  // Another, empty workspace pointed at the target sees the same models and runs.
  const elsewhere = join(root, `reader-${Math.random().toString(36).slice(2)}`);
  mkdirSync(elsewhere);
  assert.deepEqual(listing(elsewhere, { GNNOPS_DATABASE_URL: to, GNNOPS_STORAGE_URL: storage }), before);
  return r;
}

describe('gnnops store migrate', () => {
  const oldHome = join(root, 'old');
  const freshHome = join(root, 'fresh');
  before(() => {
    cpSync(fixture, oldHome, { recursive: true });
    writeSynthetic(file, { nodes: 150, features: 6, seed: 5 });
    for (let i = 0; i < 2; i++) {
      const t = runCli(
        freshHome,
        ['train', '--data-file', file, 'data.name=tiny', 'train.splits=1', 'train.epochs=3', `train.seed=${i}`],
        local,
      );
      assert.equal(t.code, 0, t.stderr);
    }
  });
  after(async () => {
    for (const d of drops) await d();
    rmSync(root, { recursive: true, force: true });
  });

  it("copies main's workspace into a second SQLite file, rerunnably, sweeps included", () => {
    const to = `sqlite:${join(root, 'old-copy.db')}`;
    const r = migrateAndCheck(oldHome, to, pathToFileURL(join(root, 'objects-old')).href);
    assert.deepEqual(
      r.tables.filter((t) => t.skipped),
      [],
    );
    assert.ok(r.tables.some((t) => t.table === 'sweep_trials'));
  });

  it('copies a freshly trained workspace into a second SQLite file, 7 rows at a time', () => {
    // Small batches page through every table by its key: rowid, or a composite primary key (params, tags).
    migrateAndCheck(
      freshHome,
      `sqlite:${join(root, 'fresh-copy.db')}`,
      pathToFileURL(join(root, 'objects-fresh')).href,
      ['--batch', '7'],
    );
  });

  describe('into PostgreSQL', { skip: PG_SKIP }, () => {
    it("copies main's workspace, sweeps included", async () => {
      const db = await freshDatabase();
      drops.push(db.drop);
      const r = migrateAndCheck(oldHome, db.url, pathToFileURL(join(root, 'objects-old-pg')).href);
      assert.deepEqual(
        r.tables.filter((t) => t.skipped).map((t) => t.table),
        [],
      );
      assert.ok(r.tables.some((t) => t.table === 'sweep_trials'));
    });

    it('copies a trained workspace, and the target then allocates fresh ids and versions', async () => {
      const db = await freshDatabase();
      drops.push(db.drop);
      const storage = pathToFileURL(join(root, 'objects-fresh-pg')).href;
      migrateAndCheck(freshHome, db.url, storage);
      // A workspace on the shared store trains and registers: new metric rows, audit rows and events need the
      // identity counters past the copied ids, and the version number continues after the copied ones.
      const shared = { GNNOPS_DATABASE_URL: db.url, GNNOPS_STORAGE_URL: storage };
      const other = join(root, 'on-pg');
      const t = runCli(
        other,
        ['train', '--data-file', file, 'data.name=tiny', 'train.splits=1', 'train.epochs=3', '--json'],
        shared,
      );
      assert.equal(t.code, 0, t.stderr);
      assert.equal((JSON.parse(t.stdout) as { model_version: number }).model_version, 3);
      const onPg = listing(other, shared);
      assert.equal((onPg.runs as unknown[]).length, 3);

      // And back: --from the PostgreSQL store into a SQLite file, which then lists the same.
      const back = `sqlite:${join(root, 'from-pg.db')}`;
      const r = migrateJson(other, ['--from', db.url, '--to', back]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.report.from, db.url);
      assert.ok(r.report.tables.every((t) => t.target === t.source && t.present === 0));
      assert.deepEqual(listing(join(root, 'fresh'), { GNNOPS_DATABASE_URL: back, GNNOPS_STORAGE_URL: storage }), onPg);
    });
  });

  it('fails on a row the source does not have, naming the table', () => {
    const path = join(root, 'tampered.db');
    const to = `sqlite:${path}`;
    assert.equal(migrateJson(oldHome, ['--to', to]).code, 0);
    const db = new Database(path);
    const run = db.prepare<[], { id: string }>('SELECT id FROM runs').get();
    db.prepare("INSERT INTO tags (run_id, key, value) VALUES (?, 'extra', 'x')").run(run?.id);
    db.close();
    const r = migrateJson(oldHome, ['--to', to]);
    assert.equal(r.code, 1);
    assert.equal(r.report.ok, false);
    assert.match(r.report.mismatch ?? '', /^table tags: 4 rows in sqlite:.*, 5 in sqlite:/);
    assert.match(r.stderr, /verification failed: table tags/);
  });

  it('fails on a damaged blob in the target storage, naming its digest', () => {
    const storage = pathToFileURL(join(root, 'objects-damaged')).href;
    const to = `sqlite:${join(root, 'damaged.db')}`;
    assert.equal(migrateJson(oldHome, ['--to', to, '--storage-to', storage]).code, 0);
    const victim = blobFiles(join(root, 'objects-damaged'))[0];
    writeFileSync(victim, 'not the checkpoint');
    const r = migrateJson(oldHome, ['--to', to, '--storage-to', storage]);
    assert.equal(r.code, 1);
    assert.match(r.report.mismatch ?? '', /^blob [0-9a-f]{64} in file:.* has SHA-256 [0-9a-f]{64}$/);
  });

  it('refuses a source table no package owns, before writing', () => {
    const home = join(root, 'mystery');
    cpSync(fixture, home, { recursive: true });
    const db = new Database(join(home, 'gnnops.db'));
    db.exec('CREATE TABLE mystery (x INTEGER)');
    db.close();
    const r = runCli(home, ['store', 'migrate', '--to', `sqlite:${join(root, 'mystery-copy.db')}`], local);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has tables this gnnops does not know: mystery/);
  });

  it('names a bad target URL without its password', () => {
    for (const [to, expect] of [
      ['postgres://alice:s3cret@127.0.0.1:1/nowhere', /postgres:\/\/alice:\*\*\*@127\.0\.0\.1:1\/nowhere/],
      ['postgres://alice:s3cret@127.0.0.1:5432/', /--to: the PostgreSQL URL names no database/],
      ['mysql://alice:s3cret@db/x', /--to: unsupported store scheme "mysql:"/],
    ] as const) {
      const r = runCli(oldHome, ['store', 'migrate', '--to', to], local);
      assert.notEqual(r.code, 0, to);
      assert.match(r.stderr, expect);
      assert.doesNotMatch(r.stderr, /s3cret/);
    }
  });
});

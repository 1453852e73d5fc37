import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDatabase, parseDatabaseUrl, redactUrl, SqliteDb } from '../../src/db/index.js';
import { sqlDbContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-db-'));
sqlDbContract('SQLite', async () => new SqliteDb(join(dir, 'contract.db')));

describe('store URLs', () => {
  test('empty and sqlite: name the workspace file; relative paths resolve against the workspace', () => {
    assert.deepEqual(parseDatabaseUrl(undefined, '/ws'), {
      dialect: 'sqlite',
      path: '/ws/gnnops.db',
      display: 'sqlite:/ws/gnnops.db',
    });
    assert.equal(parseDatabaseUrl('sqlite:', '/ws').dialect, 'sqlite');
    assert.equal((parseDatabaseUrl('sqlite:other.db', '/ws') as { path: string }).path, '/ws/other.db');
    assert.equal((parseDatabaseUrl('sqlite:///abs/x.db', '/ws') as { path: string }).path, '/abs/x.db');
  });

  test('postgres URLs keep their options and hide the password in display', () => {
    const t = parseDatabaseUrl('postgres://app:s3cret@db.internal:5433/gnnops?sslmode=require', '/ws');
    assert.equal(t.dialect, 'postgres');
    assert.equal(t.display, 'postgres://app:***@db.internal:5433/gnnops?sslmode=require');
    assert.doesNotMatch(t.display, /s3cret/);
    assert.equal(redactUrl('postgresql://u:p@h/db'), 'postgresql://u:***@h/db');
  });

  test('bad URLs name the variable and the problem', () => {
    assert.throws(
      () => parseDatabaseUrl('mysql://u@h/db', '/ws'),
      /GNNOPS_DATABASE_URL: unsupported store scheme "mysql:"/,
    );
    assert.throws(
      () => parseDatabaseUrl('postgres://u:pw@h:5432/', '/ws', 'store.url'),
      (e: Error) => {
        assert.match(e.message, /^store\.url: the PostgreSQL URL names no database/);
        assert.doesNotMatch(e.message, /pw/);
        return true;
      },
    );
  });

  test('an unreachable PostgreSQL fails with "cannot reach", the URL without its password and the cause', async () => {
    const db = openDatabase('postgres://u:hunter2@127.0.0.1:1/x', dir, { connectAttempts: 2 });
    await assert.rejects(db.query('SELECT 1'), (e: Error) => {
      assert.match(e.message, /^cannot reach the store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
    await db.close();
  });
});

describe('SQLite across processes', () => {
  test('three processes allocating 15 versions each get 45 distinct, contiguous versions', async () => {
    const url = `sqlite:${join(dir, 'procs.db')}`;
    const fixture = join(import.meta.dirname, 'fixtures/allocate.ts');
    const run = () =>
      new Promise<number[]>((res, rej) => {
        execFile(process.execPath, ['--import', 'tsx', fixture, url, '15'], (err, out) =>
          err ? rej(err) : res(JSON.parse(out) as number[]),
        );
      });
    const all = (await Promise.all([run(), run(), run()])).flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 45 }, (_, i) => i + 1),
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appliedMigrations, type DbMigration, migrate, type SqlDb } from '../../src/db/index.js';

/**
 * The one contract every SqlDb backend keeps. `open()` returns a new connection (a new "process") to the same
 * empty database each time it is called, so cross-connection behaviour (locks, leases, migrations) is exercised.
 */
export function sqlDbContract(name: string, open: () => Promise<SqlDb>, skip: string | false = false): void {
  describe(`SqlDb contract: ${name}`, { skip }, () => {
    let db: SqlDb;
    const others: SqlDb[] = [];
    const another = async () => {
      const d = await open();
      others.push(d);
      return d;
    };
    before(async () => {
      db = await open();
    });
    after(async () => {
      for (const d of others) await d.close();
      await db.close();
    });

    test('values round-trip: integers past 2^31, floats, text, blobs, null, booleans', async () => {
      await db.exec(
        'CREATE TABLE vals (id INTEGER PRIMARY KEY, big BIGINT, f DOUBLE PRECISION, t TEXT, b BLOB, flag INTEGER)',
      );
      const blob = new Uint8Array(new Float32Array([1.5, -2.25, 3]).buffer);
      await db.run('INSERT INTO vals (id, big, f, t, b, flag) VALUES ($1, $2, $3, $4, $5, $6)', [
        1,
        1_733_356_800_123,
        0.1,
        'ü→\u0000x'.replace('\u0000', ''),
        blob,
        1,
      ]);
      await db.run('INSERT INTO vals (id, big, f, t, b, flag) VALUES ($1, $2, $3, $4, $5, $6)', [
        2,
        null,
        null,
        null,
        null,
        0,
      ]);
      const rows = await db.query<{ id: number; big: number; f: number; t: string; b: Uint8Array; flag: number }>(
        'SELECT id, big, f, t, b, flag FROM vals ORDER BY id',
      );
      assert.equal(rows.length, 2);
      assert.equal(rows[0].big, 1_733_356_800_123);
      assert.equal(typeof rows[0].big, 'number');
      assert.equal(rows[0].f, 0.1);
      assert.equal(rows[0].t, 'ü→x');
      assert.deepEqual([...new Float32Array(new Uint8Array(rows[0].b).buffer)], [1.5, -2.25, 3]);
      assert.equal(rows[1].big, null);
      assert.equal(rows[1].b, null);
      const counted = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM vals');
      assert.equal(counted[0].n, 2);
      assert.equal(typeof counted[0].n, 'number');
    });

    test('numbered parameters can repeat and come in any order; RETURNING gives generated keys', async () => {
      await db.exec('CREATE TABLE seq (id INTEGER PRIMARY KEY, a TEXT, b TEXT)');
      const back = await db.query<{ a: string; b: string }>('SELECT $2 AS a, $1 AS b, $2 || $1 AS c', ['x', 'y']);
      assert.equal(back[0].a, 'y');
      assert.equal(back[0].b, 'x');
      const ins = await db.query<{ id: number }>(
        db.dialect === 'postgres'
          ? 'INSERT INTO seq (id, a, b) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM seq), $1, $1) RETURNING id'
          : 'INSERT INTO seq (a, b) VALUES ($1, $1) RETURNING id',
        ['z'],
      );
      assert.equal(ins[0].id, 1);
      assert.equal(await db.run('UPDATE seq SET b = $1 WHERE a = $2', ['w', 'z']), 1);
      assert.equal(await db.run('UPDATE seq SET b = $1 WHERE a = $2', ['w', 'nope']), 0);
    });

    test('a transaction commits when fn resolves and rolls back when it throws', async () => {
      await db.exec('CREATE TABLE tx (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO tx (k, v) VALUES ($1, $2)', ['a', 1]);
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO tx (k, v) VALUES ($1, $2)', ['b', 2]);
          throw new Error('boom');
        }),
        /boom/,
      );
      const rows = await db.query<{ k: string }>('SELECT k FROM tx ORDER BY k');
      assert.deepEqual(
        rows.map((r) => r.k),
        ['a'],
      );
    });

    test('a failing statement names the statement and the store, never the password', async () => {
      await assert.rejects(db.query('SELECT * FROM no_such_table'), (e: Error) => {
        assert.match(e.message, /no_such_table/);
        assert.match(e.message, /store /);
        assert.doesNotMatch(e.message, /:[^:@/]+@/);
        return true;
      });
    });

    test('read-modify-write under lockKey: 2 connections × 20 concurrent allocations give 40 distinct versions', async () => {
      await db.exec(
        'CREATE TABLE versions (name TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (name, version))',
      );
      const b = await another();
      const allocate = (d: SqlDb) =>
        d.transaction(async (tx) => {
          await tx.lockKey('versions:m');
          const cur = await tx.query<{ v: number | null }>('SELECT MAX(version) AS v FROM versions WHERE name = $1', [
            'm',
          ]);
          const next = (cur[0].v ?? 0) + 1;
          await tx.run('INSERT INTO versions (name, version) VALUES ($1, $2)', ['m', next]);
          return next;
        });
      const got = await Promise.all(Array.from({ length: 40 }, (_, i) => allocate(i % 2 ? b : db)));
      assert.deepEqual(
        [...got].sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    });

    test('migrations apply once, in order, also when two connections migrate at the same time', async () => {
      const list: DbMigration[] = [
        {
          id: 'demo/1',
          sql: 'CREATE TABLE demo (id INTEGER PRIMARY KEY, payload BLOB)',
          postgres: 'CREATE TABLE demo (id BIGSERIAL PRIMARY KEY, payload BYTEA)',
        },
        { id: 'demo/2', sql: 'ALTER TABLE demo ADD COLUMN note TEXT' },
      ];
      const b = await another();
      const [x, y] = await Promise.all([migrate(db, list), migrate(b, list)]);
      assert.deepEqual([...x, ...y].sort(), ['demo/1', 'demo/2']);
      assert.deepEqual(await migrate(db, list), []);
      const ids = await appliedMigrations(db);
      assert.deepEqual(
        ids.filter((i) => i.startsWith('demo/')),
        ['demo/1', 'demo/2'],
      );
      const ins = await db.query<{ id: number }>('INSERT INTO demo (payload, note) VALUES ($1, $2) RETURNING id', [
        new Uint8Array([1, 2]),
        'n',
      ]);
      assert.equal(ins[0].id, 1);
    });

    test('a lease is exclusive across connections and free again once released', async () => {
      const b = await another();
      const first = await db.tryLease('drift-check');
      assert.ok(first);
      assert.equal(first.held(), true);
      assert.equal(await b.tryLease('drift-check'), null);
      await first.release();
      assert.equal(first.held(), false);
      const second = await b.tryLease('drift-check');
      assert.ok(second);
      await second.release();
    });

    test('notify reaches every listener (PostgreSQL) or says it does not push (SQLite)', async () => {
      if (!db.pushes) {
        assert.equal(await db.listen('alias_moved', () => {}), null);
        return;
      }
      const b = await another();
      const got: string[] = [];
      const stop = await b.listen('alias_moved', (p) => got.push(p));
      assert.ok(stop);
      const t0 = Date.now();
      await db.notify('alias_moved', '{"model":"cora-gcn","alias":"production"}');
      while (got.length === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, ['{"model":"cora-gcn","alias":"production"}']);
      assert.ok(Date.now() - t0 < 1000, 'delivered within 1 s');
      await stop();
    });

    test('a notify in a transaction is delivered at commit and dropped by a rollback', async (t) => {
      if (!db.pushes) {
        // Nothing to deliver, and the transaction still works around the no-op.
        await db.transaction((tx) => tx.notify('tx_moved', 'x'));
        t.skip('SQLite does not push; its readers poll');
        return;
      }
      const b = await another();
      const got: string[] = [];
      const stop = await b.listen('tx_moved', (p) => got.push(p));
      const wait = async (n: number) => {
        for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      };
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.notify('tx_moved', 'rolled back');
          throw new Error('abort');
        }),
        /abort/,
      );
      let seenBeforeCommit = -1;
      await db.transaction(async (tx) => {
        await tx.notify('tx_moved', 'committed');
        await new Promise((r) => setTimeout(r, 100));
        seenBeforeCommit = got.length;
      });
      await wait(1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenBeforeCommit, 0, 'nothing arrives before the commit');
      assert.deepEqual(got, ['committed']);
      await stop?.();
    });
  });
}

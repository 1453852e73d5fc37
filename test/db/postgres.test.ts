import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresDb, redactUrl } from '../../src/db/index.js';
import { sqlDbContract } from './contract.js';
import { freshDatabase, PG_SKIP } from './pg-helper.js';

let url: string | undefined;
const drops: (() => Promise<void>)[] = [];
after(async () => {
  for (const d of drops) await d();
});

sqlDbContract(
  'PostgreSQL',
  async () => {
    if (!url) {
      const fresh = await freshDatabase();
      url = fresh.url;
      drops.push(fresh.drop);
    }
    return new PostgresDb(url, redactUrl(url));
  },
  PG_SKIP,
);

describe('PostgreSQL connection loss', { skip: PG_SKIP }, () => {
  test('a connection killed inside a transaction fails that transaction as "cannot reach" and the next statement reconnects', async () => {
    const fresh = await freshDatabase();
    drops.push(fresh.drop);
    const db = new PostgresDb(fresh.url, redactUrl(fresh.url), { max: 1 });
    const admin = new PostgresDb(fresh.url, redactUrl(fresh.url));
    try {
      await assert.rejects(
        db.transaction(async (tx) => {
          const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
          // the connection dies while checked out between statements: its error event must not crash the process
          await sleep(300);
          await tx.query('SELECT 1');
        }),
        (e: Error) => {
          assert.match(e.message, /^cannot reach the store /);
          return true;
        },
      );
      // the dead connection left the pool (max 1): the next statement gets a new one
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await db.close();
      await admin.close();
    }
  });
});

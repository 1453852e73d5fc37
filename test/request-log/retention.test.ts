import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { insertRequestLog } from '../../src/request-log/insert.js';
import { RequestLogQueue } from '../../src/request-log/queue.js';
import { countRequestLog, readRequestLog } from '../../src/request-log/reader.js';
import {
  RequestLogPruner,
  RetentionScheduler,
  retentionEnabled,
  retentionPolicy,
} from '../../src/request-log/retention.js';
import { threadSink } from '../../src/request-log/sink.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import { logRow, openLogStore, tempHome, tinyApp, tinyBody } from '../serve/helpers.js';

const store = await openLogStore(tempHome());
after(() => store.db.close());
const insert = (rows: RequestLogEntry[]) => insertRequestLog(store.db, rows, 'test');
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 10, 12);

/** A request-log row; `tag` goes into request_id so tests can see exactly which rows survived. */
const row = (tag: string, ts: number): RequestLogEntry => logRow(tag, ts);

/** Rows r0 … r(n−1) committed in that order, r(i) `hoursAgo(i)` hours before NOW. */
async function fill(n: number, hoursAgo: (i: number) => number = (i) => n - i): Promise<void> {
  await insert(Array.from({ length: n }, (_, i) => row(`r${i}`, NOW - hoursAgo(i) * HOUR)));
}

const ids = async () => (await readRequestLog(store.db, { last: 1_000_000 })).map((r) => r.requestId);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `r${from + i}`);

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

beforeEach(() => store.db.exec('DELETE FROM request_log'));

// The row and age limits on their own, and two pruners at once, are in the store contract (contract.ts).
describe('request-log retention: RequestLogPruner', () => {
  it('with both limits, the age limit goes first and the row limit bounds what is left', async () => {
    await fill(20, (i) => (i < 4 ? 48 : 1)); // r0..r3 two days old
    const p = new RequestLogPruner(store.db, retentionPolicy(10, 24), { chunkRows: 100 });
    assert.deepEqual(await p.pruneAll(NOW), { byRows: 6, byAge: 4, chunks: 2 });
    assert.deepEqual(await ids(), range(10, 20));
  });

  it('0 disables a limit; both 0 deletes nothing', async () => {
    await fill(30, () => 10_000);
    assert.equal(retentionEnabled(retentionPolicy(0, 0)), false);
    assert.deepEqual(await new RequestLogPruner(store.db, retentionPolicy(0, 0)).pruneAll(NOW), {
      byRows: 0,
      byAge: 0,
      chunks: 0,
    });
    assert.equal((await new RequestLogPruner(store.db, retentionPolicy(0, 24 * 365 * 100)).pruneAll(NOW)).byAge, 0);
    assert.equal((await new RequestLogPruner(store.db, retentionPolicy(30, 0)).pruneAll(NOW)).byRows, 0);
    assert.equal(await countRequestLog(store.db), 30);
  });

  it('an empty log is a no-op', async () => {
    assert.deepEqual(await new RequestLogPruner(store.db, retentionPolicy(1, 1)).step(NOW), {
      byRows: 0,
      byAge: 0,
      more: false,
    });
  });
});

describe('request-log retention: in the writer thread', () => {
  it('prunes after the commits: the newest rows stay and every deleted row is reported', async () => {
    let pruned = 0;
    const sink = threadSink(store.target, {
      replica: 'test',
      retention: { policy: { maxRows: 5, maxAgeMs: 0 }, intervalMs: 60_000, chunkRows: 2 },
      onPrune: (n) => {
        pruned += n;
      },
    });
    const q = new RequestLogQueue(sink, { flushMs: 60_000, batchSize: 4 });
    try {
      for (let i = 0; i < 12; i++) q.push(row(`r${i}`, NOW + i));
      assert.equal(await q.flush(), 12);
      // 7 rows over the limit, 2 per step: one step after each commit, the rest on the backlog timer (10 ms), not
      // the 60 s interval
      await until(() => pruned === 7, `7 rows pruned (got ${pruned})`);
      assert.deepEqual(await ids(), range(7, 12));
    } finally {
      await q.close();
    }
  });

  it('a log over the limit at startup shrinks without any request (timer), in bounded steps', async () => {
    // the thread prunes by the clock: r0..r5 are 30 h old, r6..r8 were just logged
    const now = Date.now();
    await insert(Array.from({ length: 9 }, (_, i) => row(`r${i}`, i < 6 ? now - 30 * HOUR : now)));
    let pruned = 0;
    const sink = threadSink(store.target, {
      replica: 'test',
      retention: { policy: { maxRows: 0, maxAgeMs: HOUR }, intervalMs: 60_000, chunkRows: 2 },
      onPrune: (n) => {
        pruned += n;
      },
    });
    try {
      await until(() => pruned === 6, `6 rows aged out (got ${pruned})`);
      assert.deepEqual(await ids(), range(6, 9));
    } finally {
      await sink.close();
    }
  });
});

describe('request-log retention: RetentionScheduler', () => {
  it('reports step failures to onError and keeps going', async () => {
    const errors: string[] = [];
    let steps = 0;
    const failing = {
      async step(): Promise<never> {
        steps++;
        throw new Error('database is locked');
      },
    };
    const s = new RetentionScheduler(failing, { intervalMs: 5, onError: (e) => errors.push(e.message) });
    s.start();
    try {
      await until(() => steps >= 3, 'three timer steps');
      assert.equal(await s.afterCommit(), false);
      assert.ok(errors.length >= 4 && errors.every((m) => m === 'database is locked'));
    } finally {
      s.stop();
    }
  });
});

describe('request-log retention: the server', () => {
  it('serve.log_retention_rows bounds the log and counts gnnops_request_log_pruned_total', async () => {
    const s = await tinyApp({
      logStore: store,
      requestLogThread: true,
      config: { log_retention_rows: 3, log_flush_ms: 60_000 },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
        assert.equal(r.statusCode, 200);
      }
      assert.equal(await s.requestLog?.flush(), 5);
      const metric = async () => (await s.app.inject({ url: '/metrics' })).body;
      await until(async () => /^gnnops_request_log_pruned_total 2$/m.test(await metric()), 'the pruned counter at 2');
      assert.equal(await countRequestLog(store.db), 3);
      assert.equal((await readRequestLog(store.db)).length, 3);
    } finally {
      await s.app.close();
    }
  });
});

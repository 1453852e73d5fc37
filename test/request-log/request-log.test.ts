import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { parseDatabaseUrl, type SqliteDb } from '../../src/db/index.js';
import { openLogStore as openStoreAt } from '../../src/monitor/log-store.js';
import { RequestLogQueue } from '../../src/request-log/queue.js';
import { countRequestLog, readRequestLog } from '../../src/request-log/reader.js';
import { inlineSink, type LogSink, threadSink } from '../../src/request-log/sink.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import { logRow, openLogStore, sigmoid, tempHome, tinyApp, tinyBody } from '../serve/helpers.js';

const home = tempHome();
const store = await openLogStore(home);
const path = join(home, 'gnnops.db');
after(() => store.db.close());

describe('request log', () => {
  it('logs every served subgraph and node query with inputs, predictions and structure statistics', async () => {
    const since = Date.now();
    const s = await tinyApp({ logStore: store, config: { log_flush_ms: 60_000 } });
    try {
      const one = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      const batch = await s.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [tinyBody, { x: [[0, 0]], edge_index: [[0], [0]] }] },
      });
      await s.app.inject({ method: 'POST', url: '/predict', payload: { x: [], edge_index: [[], []] } }); // 422: not logged
      const nodes = await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: [2, 1] } });
      assert.equal(s.requestLog?.pending, 4, 'rows wait in the queue until a flush');
      assert.equal(await countRequestLog(store.db, { since }), 0);
      assert.equal(await s.requestLog?.flush(), 4);

      const rows = await readRequestLog(store.db, { since });
      assert.equal(rows.length, 4);
      const [r1, b0, b1, n] = rows;
      assert.match(r1.replica ?? '', /^.+:\d+$/, 'the default replica is hostname:pid');
      assert.equal(r1.requestId, one.headers['x-request-id']);
      assert.equal(r1.kind, 'subgraph');
      assert.equal(r1.route, '/predict');
      assert.equal(r1.model, 'tiny');
      assert.equal(r1.version, '1');
      assert.equal(r1.numNodes, 2);
      assert.equal(r1.numEdges, 1);
      assert.equal(r1.numFeatures, 2);
      assert.deepEqual([...r1.degrees], [0, 1], 'in-degree within the subgraph');
      assert.equal(r1.meanDegree, 0.5);
      assert.equal(r1.maxDegree, 1);
      assert.deepEqual([...(r1.features ?? [])], [1, 0, 0, 3]);
      assert.deepEqual([...r1.predictions], [0, 1]);
      assert.ok(Math.abs(r1.confidence[0] - sigmoid(1)) < 1e-6);
      assert.ok(r1.inferenceMs >= 0);

      assert.equal(b0.requestId, batch.headers['x-request-id']);
      assert.equal(b1.requestId, b0.requestId);
      assert.deepEqual([b0.item, b1.item], [0, 1]);
      assert.deepEqual([...b1.degrees], [1], 'a self-loop counts once');

      assert.equal(n.requestId, nodes.headers['x-request-id']);
      assert.equal(n.kind, 'nodes');
      assert.deepEqual([...(n.nodeIds ?? [])], [2, 1]);
      assert.deepEqual([...n.degrees], [2, 0], 'degrees in the stored graph');
      assert.equal(n.features, null);
      assert.deepEqual([...n.predictions], [1, 1]);
    } finally {
      await s.app.close();
    }
  });

  it('samples inputs at log_sample_rate but always logs predictions', async () => {
    const since = Date.now();
    const s = await tinyApp({ logStore: store, config: { log_sample_rate: 0 } });
    try {
      for (let i = 0; i < 3; i++) await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
    } finally {
      await s.app.close(); // close drains the queue
    }
    const rows = await readRequestLog(store.db, { since });
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.features === null && r.predictions.length === 2));
    assert.equal((await readRequestLog(store.db, { since, sampledOnly: true })).length, 0);
  });

  it('a full queue sheds log rows, never requests, and counts the drops', async () => {
    const since = Date.now();
    const s = await tinyApp({ logStore: store, config: { log_queue_capacity: 2, log_flush_ms: 60_000 } });
    try {
      for (let i = 0; i < 5; i++) {
        const r = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
        assert.equal(r.statusCode, 200);
      }
      const t = (await s.app.inject({ url: '/metrics' })).body;
      assert.match(t, /^gnnops_request_log_dropped_total 3$/m);
    } finally {
      await s.app.close();
    }
    assert.equal(await countRequestLog(store.db, { since }), 2);
  });

  it('keeps rows when a flush fails (database locked) and writes them on the next flush', async () => {
    const since = Date.now();
    const s = await tinyApp({ logStore: store, config: { log_flush_ms: 60_000 } });
    const other = new Database(path);
    const raw = (store.db as SqliteDb).raw;
    try {
      raw.pragma('busy_timeout = 0');
      await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      other.exec('BEGIN IMMEDIATE'); // another writer holds the lock
      assert.equal(await s.requestLog?.flush(), 0);
      assert.equal(s.requestLog?.pending, 1);
      other.exec('COMMIT');
      assert.equal(await s.requestLog?.flush(), 1);
      assert.equal(await countRequestLog(store.db, { since }), 1);
    } finally {
      other.close();
      raw.pragma('busy_timeout = 10000');
      await s.app.close();
    }
  });

  it('the writer thread takes the feature buffers without a copy, and a failed write gives the rows back intact', async () => {
    const since = Date.now();
    const row = (k: number): RequestLogEntry => logRow(`moved-${k}`, since + k, Float32Array.from([k, 1, 2, 3, 4, 5]));
    const q = new RequestLogQueue(threadSink(store.target, { replica: 'test', busyTimeoutMs: 0 }), { flushMs: 60_000 });
    const other = new Database(path);
    try {
      const rows = [row(1), row(2)];
      for (const r of rows) q.push(r);
      other.exec('BEGIN IMMEDIATE'); // another writer holds the lock: the thread's write fails at once
      assert.equal(await q.flush(), 0);
      assert.equal(rows[0].features?.length, 0, 'the buffer moved to the writer thread (detached here)');
      assert.equal(q.pending, 2, 'the rows came back to the queue');
      other.exec('COMMIT');
      assert.equal(await q.flush(), 2);
      const back = (await readRequestLog(store.db, { since })).filter((r) => r.requestId.startsWith('moved-'));
      assert.deepEqual(
        back.map((r) => [r.requestId, [...(r.features ?? [])]]),
        [
          ['moved-1', [1, 1, 2, 3, 4, 5]],
          ['moved-2', [2, 1, 2, 3, 4, 5]],
        ],
      );
    } finally {
      other.close();
      await q.close();
    }
  });

  it('serve.replica names the server in every row it logs', async () => {
    const since = Date.now();
    const s = await tinyApp({ logStore: store, config: { replica: 'edge-1', log_flush_ms: 60_000 } });
    try {
      await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: [0] } });
    } finally {
      await s.app.close();
    }
    const rows = await readRequestLog(store.db, { since, replica: 'edge-1' });
    assert.deepEqual(
      rows.map((r) => [r.route, r.replica]),
      [
        ['/predict', 'edge-1'],
        ['/v1/predict/nodes', 'edge-1'],
      ],
    );
  });

  it('while writes fail the timer backs off; rows still unwritten at close are counted as dropped', async () => {
    let attempts = 0;
    const real = inlineSink(store.db, 'backoff');
    const counting: LogSink = {
      write: (rows) => {
        attempts++;
        return real.write(rows);
      },
      close: () => real.close(),
    };
    const dropped: number[] = [];
    const q = new RequestLogQueue(counting, { flushMs: 5, maxRetryMs: 200, onDrop: (n) => dropped.push(n) });
    await store.db.exec('ALTER TABLE request_log RENAME TO request_log_away');
    try {
      for (let i = 0; i < 3; i++) q.push(logRow(`b${i}`, Date.now()));
      await sleep(600);
      // 5 ms doubling to a 200 ms cap: 10, 20, 40, 80, 160, 200, … ms apart, so about 6 attempts in 600 ms, where
      // retrying every 5 ms flush would have made over a hundred
      assert.ok(attempts >= 3 && attempts <= 10, `${attempts} attempts`);
      assert.equal(q.retrying, true);
      assert.equal(q.pending, 3, 'the rows are held, not dropped, while the store refuses them');
      assert.equal(await q.close(), 0);
      assert.deepEqual(dropped, [3], 'unwritten at close: counted, so every pushed row is written or counted');
      assert.equal(q.dropped, 3);
    } finally {
      await store.db.exec('ALTER TABLE request_log_away RENAME TO request_log');
    }
  });

  it('a writer thread that dies is replaced by the next write; rows whose samples died with it are kept without them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-writer-'));
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, ''); // the store's folder is a file: the thread cannot open the database and exits
    const target = parseDatabaseUrl(`sqlite:${join(blocked, 'gnnops.db')}`, dir);
    const q = new RequestLogQueue(threadSink(target, { replica: 'reborn' }), { flushMs: 60_000 });
    try {
      const row = logRow('lost-sample', Date.now(), Float32Array.from([1, 2, 3, 4]));
      q.push(row);
      assert.equal(await q.flush(), 0);
      assert.equal(q.pending, 1);
      rmSync(blocked);
      const { db } = await openStoreAt(target); // the server migrates the store before its writer starts
      assert.equal(await q.flush(), 1, 'a new thread opened the store and wrote the row');
      try {
        const [back] = await readRequestLog(db);
        assert.equal(back.requestId, 'lost-sample');
        assert.equal(back.features, null, 'its sample was in the dead thread');
        assert.deepEqual([...back.predictions], [0, 1]);
      } finally {
        await db.close();
      }
    } finally {
      await q.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RequestLogQueue } from '../../src/request-log/queue.js';
import { countRequestLog, readRequestLog } from '../../src/request-log/reader.js';
import { threadSink } from '../../src/request-log/sink.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import { logRow, openLogStore, sigmoid, tempHome, tinyApp, tinyBody } from '../serve/helpers.js';

const home = tempHome();
const store = openLogStore(home);
after(() => store.close());

describe('request log', () => {
  it('logs every served subgraph and node query with inputs, predictions and structure statistics', async () => {
    const since = Date.now();
    const s = await tinyApp({ requestLogDb: store.db, config: { log_flush_ms: 60_000 } });
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
      assert.equal(countRequestLog(store.db, since), 0);
      assert.equal(await s.requestLog?.flush(), 4);

      const rows = readRequestLog(store.db, { since });
      assert.equal(rows.length, 4);
      const [r1, b0, b1, n] = rows;
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
    const s = await tinyApp({ requestLogDb: store.db, config: { log_sample_rate: 0 } });
    try {
      for (let i = 0; i < 3; i++) await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
    } finally {
      await s.app.close(); // close drains the queue
    }
    const rows = readRequestLog(store.db, { since });
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.features === null && r.predictions.length === 2));
    assert.equal(readRequestLog(store.db, { since, sampledOnly: true }).length, 0);
  });

  it('a full queue sheds log rows, never requests, and counts the drops', async () => {
    const since = Date.now();
    const s = await tinyApp({ requestLogDb: store.db, config: { log_queue_capacity: 2, log_flush_ms: 60_000 } });
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
    assert.equal(countRequestLog(store.db, since), 2);
  });

  it('keeps rows when a flush fails (database locked) and writes them on the next flush', async () => {
    const since = Date.now();
    const s = await tinyApp({ requestLogDb: store.db, config: { log_flush_ms: 60_000 } });
    const other = new Database(store.path);
    try {
      store.db.pragma('busy_timeout = 0');
      await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      other.exec('BEGIN IMMEDIATE'); // another writer holds the lock
      assert.equal(await s.requestLog?.flush(), 0);
      assert.equal(s.requestLog?.pending, 1);
      other.exec('COMMIT');
      assert.equal(await s.requestLog?.flush(), 1);
      assert.equal(countRequestLog(store.db, since), 1);
    } finally {
      other.close();
      store.db.pragma('busy_timeout = 10000');
      await s.app.close();
    }
  });

  it('reads windows by count, time, model and kind, oldest first', async () => {
    const rows = readRequestLog(store.db, { last: 3 });
    assert.equal(rows.length, 3);
    assert.ok(rows[0].ts <= rows[2].ts);
    assert.ok(readRequestLog(store.db, { kind: 'nodes' }).every((r) => r.kind === 'nodes'));
    assert.equal(readRequestLog(store.db, { model: 'other' }).length, 0);
    assert.equal(readRequestLog(store.db, { until: 0 }).length, 0);
  });

  it('the writer thread takes the feature buffers without a copy, and a failed write gives the rows back intact', async () => {
    const since = Date.now();
    const row = (k: number): RequestLogEntry => logRow(`moved-${k}`, since + k, Float32Array.from([k, 1, 2, 3, 4, 5]));
    const q = new RequestLogQueue(threadSink(store.path, { busyTimeoutMs: 0 }), { flushMs: 60_000 });
    const other = new Database(store.path);
    try {
      const rows = [row(1), row(2)];
      for (const r of rows) q.push(r);
      other.exec('BEGIN IMMEDIATE'); // another writer holds the lock: the thread's write fails at once
      assert.equal(await q.flush(), 0);
      assert.equal(rows[0].features?.length, 0, 'the buffer moved to the writer thread (detached here)');
      assert.equal(q.pending, 2, 'the rows came back to the queue');
      other.exec('COMMIT');
      assert.equal(await q.flush(), 2);
      const back = readRequestLog(store.db, { since }).filter((r) => r.requestId.startsWith('moved-'));
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
});

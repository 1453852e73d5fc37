import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LATENCY_BUCKETS } from '../../src/config/sections/serve.js';
import { checkRecord, driftCheckHistory, recordDriftCheck } from '../../src/monitor/drift-history.js';
import type { LogStore } from '../../src/monitor/log-store.js';
import { insertRequestLog } from '../../src/request-log/insert.js';
import { RequestLogQueue } from '../../src/request-log/queue.js';
import { countRequestLog, readRequestLog, requestLogReplicas } from '../../src/request-log/reader.js';
import { RequestLogPruner } from '../../src/request-log/retention.js';
import { threadSink } from '../../src/request-log/sink.js';
import type { RequestLogEntry } from '../../src/request-log/types.js';
import { DriftLoop, type DriftSnapshot } from '../../src/serve/drift-loop.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { logRow } from '../serve/helpers.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 10, 12);

/** A by-node row: node ids and degrees of the stored graph, no features. */
function nodesRow(requestId: string, ts: number): RequestLogEntry {
  return {
    ...logRow(requestId, ts),
    route: '/v1/predict/nodes',
    kind: 'nodes',
    numNodes: 3,
    numEdges: 0,
    numFeatures: 2,
    meanDegree: 4 / 3,
    maxDegree: 2,
    features: null,
    nodeIds: Int32Array.from([7, 2_000_000_000, 0]),
    degrees: Int32Array.from([2, 1, 1]),
    predictions: Int32Array.from([1, 0, 1]),
    confidence: Float32Array.from([0.5, 0.25, 0.125]),
    temperature: 1.5,
    oodScore: Float32Array.from([-3.5, -1.25, 0.5]),
    inferenceMs: 0.75,
  };
}

/** Rows r0 … r(n−1), r(i) `hoursAgo(i)` hours before NOW. */
const rows = (n: number, hoursAgo: (i: number) => number = (i) => n - i, tag = 'r') =>
  Array.from({ length: n }, (_, i) => logRow(`${tag}${i}`, NOW - hoursAgo(i) * HOUR));

/**
 * The request-log store's contract, kept by every backend: rows, replicas, the writer thread, retention, the
 * drift-check history and the lease that makes the scheduled check run once. `open()` returns a new connection
 * (another "server") to the same database each time.
 */
export function requestLogContract(name: string, open: () => Promise<LogStore>, skip: string | false = false): void {
  describe(`request-log store contract: ${name}`, { skip }, () => {
    let a: LogStore;
    let b: LogStore;
    before(async () => {
      a = await open();
      b = await open();
    });
    after(async () => {
      await a?.db.close();
      await b?.db.close();
    });
    beforeEach(async () => {
      await a.db.exec('DELETE FROM request_log');
      await a.db.exec('DELETE FROM drift_checks');
    });
    const ids = async (o: Parameters<typeof readRequestLog>[1] = {}) =>
      (await readRequestLog(a.db, { last: 1_000_000, ...o })).map((r) => r.requestId);

    test('rows round-trip with every field; windows are the newest N, oldest first, filtered by time, model, kind and sampling', async () => {
      const sub = logRow('s1', NOW - 10, Float32Array.from([1.5, -2, 3.25, 1e-7]));
      const nodes = nodesRow('n1', NOW - 5);
      assert.equal(await insertRequestLog(a.db, [sub, nodes], 'replica-a'), 2);
      const [s, n] = await readRequestLog(a.db);
      const plain = (r: RequestLogEntry) => ({
        ...r,
        features: r.features && [...r.features],
        nodeIds: r.nodeIds && [...r.nodeIds],
        degrees: [...r.degrees],
        predictions: [...r.predictions],
        confidence: [...r.confidence],
        oodScore: r.oodScore ? [...r.oodScore] : null,
      });
      assert.deepEqual(plain(s), plain({ ...sub, replica: 'replica-a' }), 'no OOD score served: null');
      assert.deepEqual(plain(n), plain({ ...nodes, replica: 'replica-a' }));
      assert.equal(typeof s.ts, 'number');
      assert.ok(s.degrees instanceof Int32Array && s.confidence instanceof Float32Array);

      await insertRequestLog(
        a.db,
        rows(6, (i) => 6 - i),
        'replica-a',
      );
      assert.deepEqual(await ids({ last: 3 }), ['r3', 'r4', 'r5'], 'the newest 3, oldest first');
      assert.deepEqual(await ids({ since: NOW - 2 * HOUR, until: NOW - HOUR + 1 }), ['r4', 'r5']);
      assert.deepEqual(await ids({ kind: 'nodes' }), ['n1']);
      assert.deepEqual(await ids({ model: 'tiny', version: '1', last: 2 }), ['r4', 'r5']);
      assert.deepEqual(await ids({ model: 'other' }), []);
      assert.equal((await ids({ sampledOnly: true })).length, 7, 'the by-node row carries no features');
      assert.equal(await countRequestLog(a.db), 8);
      assert.equal(await countRequestLog(a.db, { since: NOW - 2 * HOUR }), 4);
    });

    test('replicas log into one table at once: readers see the union, the replica filter one server', async () => {
      // each connection is one server writing its own batches concurrently with the other's
      await Promise.all([
        ...Array.from({ length: 5 }, (_, k) =>
          insertRequestLog(
            a.db,
            rows(40, () => 1, `a${k}-`),
            'host-a:1',
          ),
        ),
        ...Array.from({ length: 3 }, (_, k) =>
          insertRequestLog(
            b.db,
            rows(40, () => 1, `b${k}-`),
            'host-b:2',
          ),
        ),
      ]);
      assert.equal(await countRequestLog(a.db), 320);
      assert.equal((await readRequestLog(b.db, { last: 1000 })).length, 320, 'the other server reads the union');
      const onlyB = await readRequestLog(a.db, { last: 1000, replica: 'host-b:2' });
      assert.equal(onlyB.length, 120);
      assert.ok(onlyB.every((r) => r.replica === 'host-b:2' && r.requestId.startsWith('b')));
      assert.equal(await countRequestLog(a.db, { replica: 'host-a:1' }), 200);
      assert.deepEqual(
        (await requestLogReplicas(a.db)).map((r) => [r.replica, r.rows, r.lastTs]),
        [
          ['host-a:1', 200, NOW - HOUR],
          ['host-b:2', 120, NOW - HOUR],
        ],
      );
      assert.deepEqual(await readRequestLog(a.db, { replica: 'nobody' }), []);
    });

    test('the writer thread stores batches as its replica, holds them while the table is gone, and writes them after', async () => {
      const sink = threadSink(a.target, { replica: 'thread-1' });
      const q = new RequestLogQueue(sink, { flushMs: 60_000, batchSize: 50 });
      try {
        for (const r of rows(120, () => 1, 't')) q.push(r);
        assert.equal(await q.flush(), 120);
        assert.equal(await countRequestLog(a.db, { replica: 'thread-1' }), 120);

        // the table is away (as good as the database refusing writes): the batch fails and comes back intact
        await b.db.exec('ALTER TABLE request_log RENAME TO request_log_away');
        const moved = logRow('moved', NOW, Float32Array.from([9, 8, 7, 6]));
        q.push(moved);
        assert.equal(await q.flush(), 0);
        assert.equal(q.pending, 1);
        assert.equal(q.retrying, true);
        assert.equal(moved.features?.length, 0, 'the buffer moved to the writer thread');
        await b.db.exec('ALTER TABLE request_log_away RENAME TO request_log');
        assert.equal(await q.flush(), 1);
        assert.equal(q.retrying, false);
        const [back] = await readRequestLog(a.db, { last: 1 });
        assert.equal(back.requestId, 'moved');
        assert.deepEqual([...(back.features ?? [])], [9, 8, 7, 6]);
      } finally {
        await q.close();
      }
    });

    test('a batch sent again after its commit went through (the reply was lost) is stored once', {
      skip:
        name === 'SQLite'
          ? 'SQLite commits on the writer thread itself and knows the outcome; only a network store can lose the reply'
          : false,
    }, async () => {
      const batch = rows(30, () => 1, 'once');
      assert.equal(await insertRequestLog(a.db, batch, 'host-a:1'), 30);
      assert.equal(await insertRequestLog(a.db, [...batch, ...rows(5, () => 1, 'new')], 'host-a:1'), 5);
      assert.equal(await countRequestLog(a.db), 35);
      assert.equal(
        await insertRequestLog(a.db, batch, 'host-b:2'),
        30,
        'the same ids from another replica are its own',
      );
    });

    test('retention keeps the N newest rows and deletes by age, oldest first, in bounded chunks', async () => {
      await insertRequestLog(a.db, rows(25), 'x');
      const p = new RequestLogPruner(a.db, { maxRows: 10, maxAgeMs: 0 }, { chunkRows: 4 });
      assert.deepEqual(await p.step(NOW), { byRows: 4, byAge: 0, more: true });
      assert.deepEqual(await p.pruneAll(NOW), { byRows: 11, byAge: 0, chunks: 3 });
      assert.deepEqual(
        await ids(),
        Array.from({ length: 10 }, (_, i) => `r${15 + i}`),
      );
      assert.deepEqual(await p.step(NOW), { byRows: 0, byAge: 0, more: false });

      await a.db.exec('DELETE FROM request_log');
      await insertRequestLog(
        a.db,
        rows(12, (i) => 12 - i),
        'x',
      ); // r0 12 h ago … r11 1 h ago
      const age = new RequestLogPruner(a.db, { maxRows: 0, maxAgeMs: 5 * HOUR }, { chunkRows: 3 });
      assert.deepEqual(await age.pruneAll(NOW), { byRows: 0, byAge: 7, chunks: 3 });
      assert.deepEqual(await ids(), ['r7', 'r8', 'r9', 'r10', 'r11'], 'r7 is exactly 5 h old and stays');
    });

    test('two servers pruning at once take turns and end exactly at the limit', async () => {
      await insertRequestLog(
        a.db,
        rows(200, () => 1),
        'x',
      );
      const policy = { maxRows: 50, maxAgeMs: 0 };
      const [x, y] = await Promise.all([
        new RequestLogPruner(a.db, policy, { chunkRows: 7 }).pruneAll(NOW),
        new RequestLogPruner(b.db, policy, { chunkRows: 7 }).pruneAll(NOW),
      ]);
      assert.equal(x.byRows + y.byRows, 150, 'no row deleted twice or missed');
      assert.equal(await countRequestLog(a.db), 50);
      assert.deepEqual((await ids()).slice(0, 1), ['r150']);
    });

    test('drift-check history: checks read back oldest first with their alert flags and outlive the request log', async () => {
      const snap = (share: number, estimated: number) => ({
        available: true,
        requests: 5000,
        currentRows: 1200,
        drifted: share >= 0.5,
        share,
        driftShare: share,
        driftedFeatures: Math.round(share * 300),
        numFeatures: 300,
        shareThreshold: 0.5,
        predictionDriftScore: 0.02,
        predictionDrifted: false,
        estimates: [
          { model: 'other', version: '3', n: 10, estimated: 0.2, testAccuracy: 0.9 },
          { model: 'cora-gcn', version: '2', n: 4000, estimated, testAccuracy: 0.81 },
        ],
      });
      const served = { model: 'cora-gcn', version: '2' };
      await recordDriftCheck(a.db, checkRecord(snap(0.1, 0.8), { ts: NOW - 2 * HOUR, leader: 'host-a:1', served }));
      await recordDriftCheck(b.db, checkRecord(snap(0.6, 0.7), { ts: NOW - HOUR, leader: 'host-b:2', served }));
      await recordDriftCheck(
        a.db,
        checkRecord(
          {
            available: false,
            reason: 'no logged rows',
            requests: 0,
            driftShare: 0,
            driftedFeatures: 0,
            predictionDriftScore: 0,
          },
          { ts: NOW, leader: 'host-a:1' },
        ),
      );
      await insertRequestLog(a.db, rows(20), 'x');
      await new RequestLogPruner(a.db, { maxRows: 1, maxAgeMs: 0 }).pruneAll(NOW);

      const all = await driftCheckHistory(b.db);
      assert.deepEqual(
        all.map((c) => [c.leader, c.model, c.driftShare, c.datasetDrifted, c.estimatedAccuracy, c.accuracyDrop]),
        [
          ['host-a:1', 'cora-gcn', 0.1, false, 0.8, false],
          ['host-b:2', 'cora-gcn', 0.6, true, 0.7, true],
          ['host-a:1', '', null, false, null, false],
        ],
      );
      const [first] = all;
      assert.equal(first.requests, 5000);
      assert.equal(first.currentRows, 1200);
      assert.equal(first.testAccuracy, 0.81, 'the served version, not the first estimate');
      assert.equal(first.summary.estimates?.length, 2, 'the whole snapshot is kept');
      assert.equal(all[2].available, false);
      assert.deepEqual(
        (await driftCheckHistory(a.db, { since: NOW - HOUR })).map((c) => c.ts),
        [NOW - HOUR, NOW],
      );
      assert.deepEqual(
        (await driftCheckHistory(a.db, { leader: 'host-b:2' })).map((c) => c.leader),
        ['host-b:2'],
      );
      assert.equal((await driftCheckHistory(a.db, { model: 'cora-gcn', limit: 1 }))[0].ts, NOW - HOUR);
    });

    test('the drift-check lease: of two servers one runs and stores each scheduled check, the other publishes it', async () => {
      let ran = 0;
      const check = async (): Promise<DriftSnapshot> => {
        ran++;
        const snap = {
          driftShare: ran / 10,
          driftedFeatures: ran,
          predictionDriftScore: 0,
          available: true,
          requests: ran,
        };
        return snap;
      };
      const metricsA = new ServeMetrics([...DEFAULT_LATENCY_BUCKETS], { defaultMetrics: false });
      const metricsB = new ServeMetrics([...DEFAULT_LATENCY_BUCKETS], { defaultMetrics: false });
      const served = () => ({ model: 'm', version: '1' });
      const loopA = new DriftLoop(check, metricsA, { db: a.db, replica: 'host-a:1', served });
      const loopB = new DriftLoop(check, metricsB, { db: b.db, replica: 'host-b:2', served });
      const share = async (m: ServeMetrics) => (await m.driftShare.get()).values[0]?.value;
      try {
        for (let i = 0; i < 4; i++) {
          await Promise.all([loopA.tick(), loopB.tick()]);
          await sleep(2); // distinct check times
        }
        assert.equal(ran, 4, 'one check per round, not one per server');
        const checks = await driftCheckHistory(a.db);
        assert.equal(checks.length, 4);
        const leader = checks[0].leader;
        assert.ok(
          checks.every((c) => c.leader === leader),
          'one leader throughout',
        );
        const [lead, follow] = leader === 'host-a:1' ? [loopA, loopB] : [loopB, loopA];
        assert.equal(lead.leader, true);
        assert.equal(follow.leader, false);
        // the follower publishes what the leader stored
        await follow.tick();
        assert.equal(await share(metricsA), 0.4);
        assert.equal(await share(metricsB), 0.4);

        // the leader stops: the lease is free and the other server runs the next check
        await lead.close();
        await follow.tick();
        assert.equal(follow.leader, true);
        assert.equal(ran, 5);
        const last = (await driftCheckHistory(a.db)).at(-1);
        assert.notEqual(last?.leader, leader);
        assert.equal(last?.requests, 5);
      } finally {
        await loopA.close();
        await loopB.close();
      }
    });
  });
}

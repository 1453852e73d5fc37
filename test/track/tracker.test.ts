import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { sha256 } from '../../src/util/fs.js';

let home: string;
let store: Store;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-track-'));
  store = openStore({ home });
});
after(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('store', () => {
  test('opens in WAL mode and records applied migrations', () => {
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    // Tracking applies its own migrations only; the registry, sweeps and the request log apply theirs.
    assert.deepEqual(store.schemaVersions(), ['track/1', 'track/2']);
    // Re-opening applies nothing new and keeps the data.
    const again = openStore({ home });
    assert.deepEqual(again.applyMigrations([{ id: 'track/1', sql: 'THIS IS NOT SQL' }]), []);
    again.close();
  });

  test('extra migrations are applied once', () => {
    const m = [{ id: 'test/1', sql: 'CREATE TABLE extra (x INTEGER)' }];
    assert.deepEqual(store.applyMigrations(m), ['test/1']);
    assert.deepEqual(store.applyMigrations(m), []);
    assert.ok(store.schemaVersions().includes('test/1'));
  });
});

describe('runs', () => {
  test('a run records its config, params, metric series, tags and artifacts', () => {
    const tracker = new Tracker(store, { experiment: 'exp-a' });
    const config = { model: { name: 'gcn', hidden: 33 }, train: { lr: 0.02, tags: ['x', 'y'] } };
    const run = tracker.startRun({
      name: 'first',
      config,
      dataset: { name: 'cora', hash: 'abc123' },
      tags: { purpose: 'test' },
      git: { sha: 'a'.repeat(40), dirty: true },
    });
    for (let epoch = 0; epoch < 5; epoch++) run.logMetrics({ loss: 1 / (epoch + 1), acc: epoch / 10 }, epoch);
    run.logMetric('test_acc', 0.8);
    run.logMetric('weird', Number.NaN);
    run.setTag('purpose', 'test2');
    const ckpt = Buffer.from('checkpoint bytes');
    const art = run.logArtifact('checkpoint', ckpt, 'checkpoint');
    assert.equal(art.digest, sha256(ckpt));
    assert.deepEqual(readFileSync(art.path), ckpt);
    run.end();

    const rec = tracker.getRun(run.id);
    assert.equal(rec.status, 'finished');
    assert.equal(rec.experiment, 'exp-a');
    assert.equal(rec.gitSha, 'a'.repeat(40));
    assert.equal(rec.gitDirty, true);
    assert.deepEqual(rec.config, config);
    assert.equal(rec.datasetHash, 'abc123');
    assert.equal(rec.pid, process.pid);
    assert.ok(rec.endTime !== null && rec.endTime >= rec.startTime);
    assert.deepEqual(tracker.params(run.id), {
      'model.hidden': '33',
      'model.name': 'gcn',
      'train.lr': '0.02',
      'train.tags': '["x","y"]',
    });
    assert.deepEqual(
      tracker.metricHistory(run.id, 'loss').map((p) => [p.step, p.value]),
      [0, 1, 2, 3, 4].map((e) => [e, 1 / (e + 1)]),
    );
    const last = tracker.latestMetrics(run.id);
    assert.deepEqual(last.acc, { value: 0.4, step: 4 });
    assert.deepEqual(last.test_acc, { value: 0.8, step: 0 });
    assert.ok(Number.isNaN(last.weird.value));
    assert.deepEqual(tracker.tags(run.id), { purpose: 'test2' });
    const d = tracker.detail(run.id.slice(0, 8));
    assert.equal(d.run.id, run.id);
    assert.equal(d.artifacts.length, 1);
    assert.equal(d.artifacts[0].kind, 'checkpoint');
  });

  test('default steps count up per key', () => {
    const run = new Tracker(store).startRun({ git: null });
    run.logMetric('a', 1);
    run.logMetric('a', 2);
    run.logMetric('b', 3);
    run.logMetric('a', 4, 10);
    run.logMetric('a', 5);
    run.end();
    const t = new Tracker(store);
    assert.deepEqual(
      t.metricHistory(run.id, 'a').map((p) => p.step),
      [0, 1, 10, 11],
    );
    assert.deepEqual(
      t.metricHistory(run.id, 'b').map((p) => p.step),
      [0],
    );
    assert.equal(t.getRun(run.id).gitSha, null);
  });

  test('metrics are buffered until flushEvery points or end()', () => {
    const tracker = new Tracker(store, { tuning: { flushEvery: 10, flushMs: 60_000 } });
    const run = tracker.startRun({ git: null });
    const count = () =>
      (store.db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(run.id) as { n: number }).n;
    for (let i = 0; i < 9; i++) run.logMetric('m', i);
    assert.equal(count(), 0, 'nothing written before the batch is full');
    assert.equal(run.pending, 9);
    run.logMetric('m', 9);
    assert.equal(count(), 10, 'the full batch is written at once');
    for (let i = 0; i < 3; i++) run.logMetric('m', i);
    assert.equal(count(), 10);
    run.end();
    assert.equal(count(), 13, 'end() flushes the rest');
    assert.equal(run.pending, 0);
  });

  test('metrics older than flushMs are flushed on the next log call', async () => {
    const tracker = new Tracker(store, { tuning: { flushEvery: 1000, flushMs: 30 } });
    const run = tracker.startRun({ git: null });
    run.logMetric('m', 1);
    await new Promise((r) => setTimeout(r, 40));
    run.logMetric('m', 2);
    assert.equal(run.pending, 0);
    run.end();
  });

  test('params are write-once; ended runs refuse writes', () => {
    const run = new Tracker(store).startRun({ git: null, params: { lr: 0.1 } });
    run.logParam('lr', 0.1);
    assert.throws(() => run.logParam('lr', 0.2), /params cannot change/);
    assert.throws(() => run.logMetric('', 1), /non-empty string/);
    assert.throws(() => run.logMetric('x', 1, 1.5), /not an integer/);
    run.end('failed', 'boom');
    run.end('finished');
    assert.equal(new Tracker(store).getRun(run.id).status, 'failed', 'a second end() does not change the status');
    assert.throws(() => run.logMetric('x', 1), /already ended \(failed\)/);
  });

  test('artifacts from a path are stored content-addressed and deduplicated', () => {
    const run = new Tracker(store).startRun({ git: null });
    const file = join(home, 'report.txt');
    writeFileSync(file, 'report');
    const a = run.logArtifact('report', file, 'report');
    const b = run.logArtifact('copy', Buffer.from('report'));
    assert.equal(a.digest, b.digest);
    assert.equal(a.path, join(home, 'artifacts', 'sha256', a.digest.slice(0, 2), a.digest.slice(2)));
    assert.ok(store.cas.verify(a.digest));
    assert.throws(() => run.logArtifact('missing', join(home, 'nope')), /file not found/);
    run.end();
  });

  test('listRuns filters by experiment and status; findRun rejects unknown and ambiguous refs', () => {
    const t = new Tracker(store);
    const r1 = t.startRun({ experiment: 'list-x', name: 'same', git: null });
    const r2 = t.startRun({ experiment: 'list-x', name: 'same', git: null });
    r1.end('killed');
    r2.end();
    assert.deepEqual(
      t
        .listRuns({ experiment: 'list-x' })
        .map((r) => r.id)
        .sort(),
      [r1.id, r2.id].sort(),
    );
    assert.deepEqual(
      t.listRuns({ experiment: 'list-x', status: 'killed' }).map((r) => r.id),
      [r1.id],
    );
    assert.throws(() => t.getRun('same'), /ambiguous/);
    assert.throws(() => t.getRun('nonexistent-run'), /no run matches/);
    assert.throws(() => t.startRun({ experiment: '' }), /experiment name/);
  });
});

describe('lineage', () => {
  test('a child run stores its parent’s full id and the parent lists its children', () => {
    const t = new Tracker(store);
    const parent = t.startRun({ name: 'parent', git: null, sweepId: 'sweep-1' });
    const child = t.startRun({ git: null, parentId: parent.id.slice(0, 10), sweepId: 'sweep-1' });
    child.end();
    parent.end();
    assert.equal(t.getRun(child.id).parentId, parent.id);
    const d = t.detail(parent.id);
    assert.deepEqual(d.lineage.children, [child.id]);
    assert.equal(d.lineage.sweep, 'sweep-1');
    assert.deepEqual(
      t
        .listRuns({ sweepId: 'sweep-1' })
        .map((r) => r.id)
        .sort(),
      [parent.id, child.id].sort(),
    );
    assert.throws(() => t.startRun({ git: null, parentId: 'ffffffffffff' }), /no run matches/);
  });
});

describe('background flush and temp cleanup', () => {
  test('the timer flushes waiting points while the event loop is idle', async () => {
    const run = new Tracker(store, { tuning: { flushEvery: 1000, flushMs: 30 } }).startRun({ git: null });
    run.logMetric('m', 1);
    assert.equal(run.pending, 1);
    // No further log call: only the timer (period 50 ms here) can flush. Wait up to 2 s on a loaded machine.
    for (let i = 0; i < 100 && run.pending > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(run.pending, 0);
    assert.equal(new Tracker(store).metricHistory(run.id, 'm').length, 1);
    run.end();
  });

  test('cleanTemp removes temp files of dead processes only', () => {
    const dir = join(home, 'artifacts', 'sha256', 'ab');
    mkdirSync(dir, { recursive: true });
    const dead = join(dir, `${'c'.repeat(62)}.tmp-999999999-abcd`);
    const mine = join(dir, `${'d'.repeat(62)}.tmp-${process.pid}-abcd`);
    writeFileSync(dead, 'x');
    writeFileSync(mine, 'y');
    assert.equal(store.cas.cleanTemp(), 1);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(mine), true);
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { processStart } from '../../src/track/recovery.js';
import type { Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { sha256 } from '../../src/util/fs.js';
import type { StoreBackend } from './backends.js';

const child = join(import.meta.dirname, 'fixtures', 'run-child.ts');

/** Poll `fn` until it holds (a queued write lands when the event loop gets to it); at most 2 s. */
async function eventually(fn: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return fn();
}

/** The tracking store's contract: what runs, params, metrics, tags, artifacts and recovery do on every backend. */
export function trackingContract(backend: StoreBackend): void {
  describe(`tracking contract: ${backend.name}`, { skip: backend.skip }, () => {
    let home: string;
    let store: Store;

    before(async () => {
      home = mkdtempSync(join(tmpdir(), 'gnnops-track-'));
      store = await backend.open({ home });
    });
    after(async () => {
      await store?.close();
      rmSync(home, { recursive: true, force: true });
      await backend.dispose();
    });

    const count = async (runId: string) =>
      (await store.sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM metrics WHERE run_id = $1', [runId]))[0].n;

    test('the tracking migrations are recorded; reopening applies nothing again', async () => {
      const applied = await store.schemaVersions();
      assert.ok(applied.includes('track/1') && applied.includes('track/2'), applied.join(', '));
      const again = await backend.open({ home });
      assert.deepEqual(await again.migrate([{ id: 'track/1', sql: 'THIS IS NOT SQL' }]), []);
      await again.close();
    });

    test('a run records its config, params, metric series, tags and artifacts', async () => {
      const tracker = new Tracker(store, { experiment: 'exp-a' });
      const config = { model: { name: 'gcn', hidden: 33 }, train: { lr: 0.02, tags: ['x', 'y'] } };
      const run = await tracker.startRun({
        name: 'first',
        config,
        dataset: { name: 'cora', hash: 'abc123' },
        tags: { purpose: 'test' },
        git: { sha: 'a'.repeat(40), dirty: true },
      });
      for (let epoch = 0; epoch < 5; epoch++) run.logMetrics({ loss: 1 / (epoch + 1), acc: epoch / 10 }, epoch);
      run.logMetric('test_acc', 0.8);
      run.logMetric('weird', Number.NaN);
      run.logMetric('big', Number.POSITIVE_INFINITY);
      run.logMetric('precise', 0.1 + 0.2);
      await run.setTag('purpose', 'test2');
      const ckpt = Buffer.from('checkpoint bytes');
      const art = await run.logArtifact('checkpoint', ckpt, 'checkpoint');
      assert.equal(art.digest, sha256(ckpt));
      assert.deepEqual(readFileSync(art.path), ckpt);
      await run.end();

      const rec = await tracker.getRun(run.id);
      assert.equal(rec.status, 'finished');
      assert.equal(rec.experiment, 'exp-a');
      assert.equal(rec.gitSha, 'a'.repeat(40));
      assert.equal(rec.gitDirty, true);
      assert.deepEqual(rec.config, config);
      assert.equal(rec.datasetHash, 'abc123');
      assert.equal(rec.pid, process.pid);
      assert.ok(rec.endTime !== null && rec.endTime >= rec.startTime);
      assert.ok(rec.startTime > 1_700_000_000_000, 'millisecond times survive the round trip');
      assert.deepEqual(await tracker.params(run.id), {
        'model.hidden': '33',
        'model.name': 'gcn',
        'train.lr': '0.02',
        'train.tags': '["x","y"]',
      });
      assert.deepEqual(
        (await tracker.metricHistory(run.id, 'loss')).map((p) => [p.step, p.value]),
        [0, 1, 2, 3, 4].map((e) => [e, 1 / (e + 1)]),
      );
      const last = await tracker.latestMetrics(run.id);
      assert.deepEqual(last.acc, { value: 0.4, step: 4 });
      assert.deepEqual(last.test_acc, { value: 0.8, step: 0 });
      assert.ok(Number.isNaN(last.weird.value));
      assert.equal(last.big.value, Number.POSITIVE_INFINITY);
      assert.equal(last.precise.value, 0.1 + 0.2, 'metric values keep double precision');
      assert.deepEqual(await tracker.tags(run.id), { purpose: 'test2' });
      const d = await tracker.detail(run.id.slice(0, 8));
      assert.equal(d.run.id, run.id);
      assert.equal(d.artifacts.length, 1);
      assert.equal(d.artifacts[0].kind, 'checkpoint');
      const many = await tracker.latestMetricsOfRuns([run.id, 'no-such-run']);
      assert.deepEqual(many.get(run.id), last);
      assert.deepEqual(many.get('no-such-run'), {});
    });

    test('default steps count up per key', async () => {
      const run = await new Tracker(store).startRun({ git: null });
      run.logMetric('a', 1);
      run.logMetric('a', 2);
      run.logMetric('b', 3);
      run.logMetric('a', 4, 10);
      run.logMetric('a', 5);
      await run.end();
      const t = new Tracker(store);
      assert.deepEqual(
        (await t.metricHistory(run.id, 'a')).map((p) => p.step),
        [0, 1, 10, 11],
      );
      assert.deepEqual(
        (await t.metricHistory(run.id, 'b')).map((p) => p.step),
        [0],
      );
      assert.equal((await t.getRun(run.id)).gitSha, null);
    });

    test('metrics are buffered until flushEvery points or end(); logging never waits for the store', async () => {
      const tracker = new Tracker(store, { tuning: { flushEvery: 10, flushMs: 60_000 } });
      const run = await tracker.startRun({ git: null });
      for (let i = 0; i < 9; i++) run.logMetric('m', i);
      assert.equal(run.pending, 9);
      assert.equal(await count(run.id), 0, 'nothing written before the batch is full');
      const t0 = performance.now();
      run.logMetric('m', 9);
      const logMs = performance.now() - t0;
      assert.equal(run.pending, 0, 'the full batch leaves the buffer at once');
      assert.ok(await eventually(async () => (await count(run.id)) === 10), 'the full batch is written');
      for (let i = 0; i < 3; i++) run.logMetric('m', i);
      assert.equal(run.pending, 3);
      assert.equal(await count(run.id), 10);
      await run.end();
      assert.equal(await count(run.id), 13, 'end() flushes the rest');
      assert.equal(run.pending, 0);
      assert.ok(logMs < 1000, `logMetric took ${logMs} ms`);
    });

    test('a sequence of batches lands in logging order', async () => {
      const run = await new Tracker(store, { tuning: { flushEvery: 7, flushMs: 60_000 } }).startRun({ git: null });
      for (let i = 0; i < 100; i++) run.logMetric('seq', i, i);
      await run.end();
      const pts = await store.sql.query<{ step: number }>('SELECT step FROM metrics WHERE run_id = $1 ORDER BY rowid', [
        run.id,
      ]);
      assert.deepEqual(
        pts.map((p) => p.step),
        Array.from({ length: 100 }, (_, i) => i),
      );
    });

    test('metrics older than flushMs are flushed on the next log call', async () => {
      const tracker = new Tracker(store, { tuning: { flushEvery: 1000, flushMs: 30 } });
      const run = await tracker.startRun({ git: null });
      run.logMetric('m', 1);
      await new Promise((r) => setTimeout(r, 40));
      run.logMetric('m', 2);
      assert.equal(run.pending, 0);
      await run.end();
      assert.equal(await count(run.id), 2);
    });

    test('params are write-once; ended runs refuse writes', async () => {
      const run = await new Tracker(store).startRun({ git: null, params: { lr: 0.1 } });
      await run.logParam('lr', 0.1);
      await assert.rejects(run.logParam('lr', 0.2), /params cannot change/);
      assert.throws(() => run.logMetric('', 1), /non-empty string/);
      assert.throws(() => run.logMetric('x', 1, 1.5), /not an integer/);
      await run.end('failed', 'boom');
      await run.end('finished');
      assert.equal(
        (await new Tracker(store).getRun(run.id)).status,
        'failed',
        'a second end() does not change the status',
      );
      assert.throws(() => run.logMetric('x', 1), /already ended \(failed\)/);
    });

    test('artifacts from a path are stored content-addressed and deduplicated', async () => {
      const run = await new Tracker(store).startRun({ git: null });
      const file = join(home, 'report.txt');
      writeFileSync(file, 'report');
      const a = await run.logArtifact('report', file, 'report');
      const b = await run.logArtifact('copy', Buffer.from('report'));
      assert.equal(a.digest, b.digest);
      assert.equal(a.path, join(home, 'artifacts', 'sha256', a.digest.slice(0, 2), a.digest.slice(2)));
      assert.ok(store.cas.verify(a.digest));
      await assert.rejects(run.logArtifact('missing', join(home, 'nope')), /file not found/);
      const again = await run.logArtifact('report', Buffer.from('v2'), 'report');
      const arts = await new Tracker(store).artifacts(run.id);
      assert.equal(arts.find((x) => x.name === 'report')?.digest, again.digest, 're-logging a name repoints it');
      await run.end();
    });

    test('listRuns filters by experiment and status; findRun rejects unknown and ambiguous refs', async () => {
      const t = new Tracker(store);
      const r1 = await t.startRun({ experiment: 'list-x', name: 'same', git: null });
      const r2 = await t.startRun({ experiment: 'list-x', name: 'same', git: null });
      await r1.end('killed');
      await r2.end();
      assert.deepEqual((await t.listRuns({ experiment: 'list-x' })).map((r) => r.id).sort(), [r1.id, r2.id].sort());
      assert.deepEqual(
        (await t.listRuns({ experiment: 'list-x', status: 'killed' })).map((r) => r.id),
        [r1.id],
      );
      assert.equal((await t.listRuns({ experiment: 'list-x', limit: 1 })).length, 1);
      const exps = await t.listExperiments();
      assert.equal(exps.find((e) => e.name === 'list-x')?.runs, 2);
      await assert.rejects(t.getRun('same'), /ambiguous/);
      await assert.rejects(t.getRun('nonexistent-run'), /no run matches/);
      await assert.rejects(t.startRun({ experiment: '' }), /experiment name/);
    });

    test('a child run stores its parent’s full id and the parent lists its children', async () => {
      const t = new Tracker(store);
      const parent = await t.startRun({ name: 'parent', git: null, sweepId: 'sweep-1' });
      const kid = await t.startRun({ git: null, parentId: parent.id.slice(0, 10), sweepId: 'sweep-1' });
      await kid.end();
      await parent.end();
      assert.equal((await t.getRun(kid.id)).parentId, parent.id);
      const d = await t.detail(parent.id);
      assert.deepEqual(d.lineage.children, [kid.id]);
      assert.equal(d.lineage.sweep, 'sweep-1');
      assert.deepEqual((await t.listRuns({ sweepId: 'sweep-1' })).map((r) => r.id).sort(), [parent.id, kid.id].sort());
      await assert.rejects(t.startRun({ git: null, parentId: 'ffffffffffff' }), /no run matches/);
    });

    test('the timer flushes waiting points while the event loop is idle', async () => {
      const run = await new Tracker(store, { tuning: { flushEvery: 1000, flushMs: 30 } }).startRun({ git: null });
      run.logMetric('m', 1);
      assert.equal(run.pending, 1);
      // No further log call: only the timer (period 50 ms here) can flush. Wait up to 2 s on a loaded machine.
      assert.ok(await eventually(async () => (await count(run.id)) === 1));
      assert.equal(run.pending, 0);
      await run.end();
    });

    test('on a remote store, a run keeps its heartbeat while its thread is blocked', {
      skip: backend.syncExit && 'the embedded store is not shared across hosts, where only the heartbeat tells',
    }, async () => {
      const run = await new Tracker(store, { tuning: { heartbeatMs: 100, flushMs: 60_000 } }).startRun({ git: null });
      const beat = async () =>
        (await store.sql.query<{ h: number }>('SELECT heartbeat_at AS h FROM runs WHERE id = $1', [run.id]))[0].h;
      const first = await beat();
      // The thread is up once the heartbeat moves on its own (its start may take a while on a loaded machine).
      for (let i = 0; i < 200 && (await beat()) === first; i++) await new Promise((r) => setTimeout(r, 50));
      const blockedAt = Date.now();
      while (Date.now() - blockedAt < 800) {
        // A synchronous training loop: nothing on this thread runs meanwhile (and this thread never beats for a run
        // that has the heartbeat thread).
      }
      const after = await beat();
      assert.ok(after > blockedAt, `heartbeat ${after - blockedAt} ms after the loop began`);
      await run.end();
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

    // ---- crashes and recovery: a child process owns the run -------------------------------------------

    const start = async (points: number, mode = 'idle'): Promise<{ proc: ChildProcess; runId: Promise<string> }> => {
      const url = await backend.url();
      const proc = spawn(process.execPath, ['--import', 'tsx', child, String(points), mode], {
        env: { ...process.env, GNNOPS_HOME: home, GNNOPS_DATABASE_URL: url, GNNOPS_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const runId = new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        proc.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      return { proc, runId };
    };
    const exited = (p: ChildProcess) =>
      new Promise<NodeJS.Signals | number | null>((r) => p.on('exit', (code, sig) => r(sig ?? code)));

    test('SIGTERM marks the run killed and flushes its buffered metrics', async () => {
      const { proc, runId } = await start(7);
      const id = await runId;
      const done = exited(proc);
      proc.kill('SIGTERM');
      assert.equal(await done, 'SIGTERM', 'the child still dies from the signal after marking the run');
      const t = new Tracker(store);
      const rec = await t.getRun(id);
      assert.equal(rec.status, 'killed');
      assert.equal(rec.statusReason, 'received SIGTERM');
      assert.equal((await t.metricHistory(id, 'loss')).length, 7);
    });

    test('an uncaught exception ends the run as failed: on the way out, or at the next open', async () => {
      const { proc, runId } = await start(4, 'throw');
      const id = await runId;
      const done = exited(proc);
      assert.equal(await done, 1);
      const reopened = await backend.open({ home });
      const t = new Tracker(reopened);
      const rec = await t.getRun(id);
      assert.equal(rec.status, 'failed');
      if (backend.syncExit) {
        // The exit handler wrote synchronously: the reason and the buffered points are there.
        assert.match(rec.statusReason ?? '', /process exited \(code 1\) without ending the run/);
        assert.equal((await t.metricHistory(id, 'loss')).length, 4);
      } else {
        // An exit handler cannot wait for a network write: recovery finds the pid gone.
        assert.deepEqual(
          reopened.recovered.map((r) => r.id),
          [id],
        );
        assert.match(rec.statusReason ?? '', /exited without ending the run/);
      }
      await reopened.close();
    });

    test('a run left running by a SIGKILLed process is marked failed on the next open', async () => {
      const { proc, runId } = await start(3);
      const id = await runId;
      const done = exited(proc);
      proc.kill('SIGKILL');
      await done;
      // Read without recovery first: the row really is stuck in `running`.
      const raw = await backend.open({ home, recover: false });
      assert.equal((await new Tracker(raw).getRun(id)).status, 'running');
      await raw.close();
      const again = await backend.open({ home });
      assert.deepEqual(
        again.recovered.map((r) => r.id),
        [id],
      );
      const rec = await new Tracker(again).getRun(id);
      assert.equal(rec.status, 'failed');
      assert.match(rec.statusReason ?? '', /exited without ending the run/);
      assert.ok(rec.endTime !== null);
      await again.close();
    });

    test('runs of a live process are left alone; other hosts are judged by heartbeat age', async () => {
      const t = new Tracker(store);
      const live = await t.startRun({ git: null });
      const remote = await t.startRun({ git: null });
      const fresh = await t.startRun({ git: null });
      const setHost = (at: number, id: string) =>
        store.sql.run("UPDATE runs SET host = 'elsewhere', heartbeat_at = $1 WHERE id = $2", [at, id]);
      await setHost(Date.now() - 3_600_000, remote.id);
      await setHost(Date.now(), fresh.id);
      const again = await backend.open({ home, staleAfterMs: 60_000 });
      assert.deepEqual(
        again.recovered.map((r) => r.id),
        [remote.id],
      );
      assert.equal((await t.getRun(live.id)).status, 'running');
      assert.equal((await t.getRun(fresh.id)).status, 'running');
      await live.end();
      await fresh.end();
      await remote.end('failed');
      await again.close();
    });

    test('a live pid is judged by its start time, not its heartbeat', {
      skip: processStart(process.pid) === null && 'no /proc',
    }, async () => {
      const t = new Tracker(store);
      // Both runs claim the parent process (alive) with a heartbeat an hour old.
      const blocked = await t.startRun({ git: null });
      const reused = await t.startRun({ git: null });
      const old = Date.now() - 3_600_000;
      const setPid = (start: string | null, id: string) =>
        store.sql.run('UPDATE runs SET pid = $1, pid_start = $2, heartbeat_at = $3 WHERE id = $4', [
          process.ppid,
          start,
          old,
          id,
        ]);
      await setPid(processStart(process.ppid), blocked.id);
      await setPid('1', reused.id);
      const again = await backend.open({ home, staleAfterMs: 60_000 });
      assert.deepEqual(
        again.recovered.map((r) => r.id),
        [reused.id],
      );
      assert.match(again.recovered[0].reason, /pid now belongs to another process/);
      assert.equal((await t.getRun(blocked.id)).status, 'running', 'a long blocking computation is not a crash');
      await blocked.end();
      await reused.end('failed');
      await again.close();
    });
  });
}

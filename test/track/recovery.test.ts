import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { processStart } from '../../src/track/recovery.js';
import { openStore } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';

let home: string;
const child = join(import.meta.dirname, 'fixtures', 'run-child.ts');

before(() => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-recovery-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

function start(points: number, mode = 'idle'): { proc: ChildProcess; runId: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, String(points), mode], {
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
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
}

const exited = (p: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((r) => p.on('exit', (code, sig) => r(sig ?? code)));

test('SIGTERM marks the run killed and flushes its buffered metrics', async () => {
  const { proc, runId } = start(7);
  const id = await runId;
  const done = exited(proc);
  proc.kill('SIGTERM');
  assert.equal(await done, 'SIGTERM', 'the child still dies from the signal after marking the run');
  const store = openStore({ home });
  const t = new Tracker(store);
  const rec = t.getRun(id);
  assert.equal(rec.status, 'killed');
  assert.equal(rec.statusReason, 'received SIGTERM');
  assert.equal(t.metricHistory(id, 'loss').length, 7);
  store.close();
});

test('an uncaught exception marks the run failed on the way out, with its buffered metrics', async () => {
  const { proc, runId } = start(4, 'throw');
  const id = await runId;
  const done = exited(proc);
  assert.equal(await done, 1);
  const store = openStore({ home, recover: false });
  const t = new Tracker(store);
  const rec = t.getRun(id);
  assert.equal(rec.status, 'failed');
  assert.match(rec.statusReason ?? '', /process exited \(code 1\) without ending the run/);
  assert.equal(t.metricHistory(id, 'loss').length, 4);
  store.close();
});

test('a run left running by a SIGKILLed process is marked failed on the next open', async () => {
  const { proc, runId } = start(3);
  const id = await runId;
  const done = exited(proc);
  proc.kill('SIGKILL');
  await done;
  // Read without recovery first: the row really is stuck in `running`.
  const raw = openStore({ home, recover: false });
  assert.equal(new Tracker(raw).getRun(id).status, 'running');
  raw.close();
  const store = openStore({ home });
  assert.deepEqual(
    store.recovered.map((r) => r.id),
    [id],
  );
  const rec = new Tracker(store).getRun(id);
  assert.equal(rec.status, 'failed');
  assert.match(rec.statusReason ?? '', /exited without ending the run/);
  assert.ok(rec.endTime !== null);
  store.close();
});

test('runs of a live process are left alone; other hosts are judged by heartbeat age', () => {
  const store = openStore({ home });
  const t = new Tracker(store);
  const live = t.startRun({ git: null });
  const remote = t.startRun({ git: null });
  const fresh = t.startRun({ git: null });
  store.db
    .prepare("UPDATE runs SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?")
    .run(Date.now() - 3_600_000, remote.id);
  store.db.prepare("UPDATE runs SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?").run(Date.now(), fresh.id);
  const again = openStore({ home, staleAfterMs: 60_000 });
  assert.deepEqual(
    again.recovered.map((r) => r.id),
    [remote.id],
  );
  assert.equal(t.getRun(live.id).status, 'running');
  assert.equal(t.getRun(fresh.id).status, 'running');
  live.end();
  fresh.end();
  remote.end('failed');
  again.close();
  store.close();
});

test('a live pid is judged by its start time, not its heartbeat', {
  skip: processStart(process.pid) === null && 'no /proc',
}, () => {
  const store = openStore({ home });
  const t = new Tracker(store);
  // Both runs claim the parent process (alive) with a heartbeat an hour old.
  const blocked = t.startRun({ git: null });
  const reused = t.startRun({ git: null });
  const old = Date.now() - 3_600_000;
  const setPid = store.db.prepare('UPDATE runs SET pid = ?, pid_start = ?, heartbeat_at = ? WHERE id = ?');
  setPid.run(process.ppid, processStart(process.ppid), old, blocked.id);
  setPid.run(process.ppid, '1', old, reused.id);
  const again = openStore({ home, staleAfterMs: 60_000 });
  assert.deepEqual(
    again.recovered.map((r) => r.id),
    [reused.id],
  );
  assert.match(again.recovered[0].reason, /pid now belongs to another process/);
  assert.equal(t.getRun(blocked.id).status, 'running', 'a long blocking computation is not a crash');
  blocked.end();
  reused.end('failed');
  again.close();
  store.close();
});

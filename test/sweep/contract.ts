import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import type { TrialOutcome } from '../../src/sweep/types.js';
import type { Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { isGnnopsError } from '../../src/util/errors.js';
import type { StoreBackend } from '../track/backends.js';
import { trial as synthetic } from './fixtures/synthetic-trial.js';

const spec = parseSweepYaml(`
method: random
metric: {name: val_acc, goal: maximize}
run_cap: 2
parameters:
  learning-rate: {min: 0.001, max: 0.1}
`);
const params = { 'learning-rate': 0.01 };
const outcome = (value: number): TrialOutcome => ({
  status: 'finished',
  metrics: { val_acc: value },
  value,
  epochs: 1,
});
const isConflict = (e: unknown) => isGnnopsError(e) && e.code === 'E_CONFLICT';
const runnerSpec = parseSweepYaml(`
method: random
metric: {name: val_acc, goal: maximize}
run_cap: 4
parameters:
  learning-rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  optimizer-name: {values: [Adam, AdamW]}
  hidden-channels: {min: 16, max: 256}
  num-epochs: {value: 5}
`);

/**
 * The sweep store's contract on every backend: sweeps and trials, owner tokens and attempt leases (a resumed
 * controller supersedes the old one, whose late reports are refused), concurrent claims, grouping a trial's run,
 * and a sweep run to its cap.
 */
export function sweepStoreContract(backend: StoreBackend): void {
  describe(`sweep store contract: ${backend.name}`, { skip: backend.skip }, () => {
    let home: string;
    let store: Store;
    let sweeps: SweepStore;
    before(async () => {
      home = mkdtempSync(join(tmpdir(), 'gnnops-sweep-store-'));
      store = await backend.open({ home });
      sweeps = new SweepStore(store);
    });
    after(async () => {
      await store?.close();
      rmSync(home, { recursive: true, force: true });
      await backend.dispose();
    });

    it('records a sweep and finds it by id or unique prefix; an unknown one names the store', async () => {
      const rec = await sweeps.create({ spec, runCap: 2, seed: 9, notes: ['n1'] });
      assert.equal((await sweeps.get(rec.id.slice(0, 6))).id, rec.id);
      assert.ok((await sweeps.list()).some((s) => s.id === rec.id));
      await sweeps.addNotes(rec.id, ['n1', 'n2']);
      assert.deepEqual((await sweeps.get(rec.id)).notes, ['n1', 'n2']);
      await assert.rejects(sweeps.get('sw-nope'), (e: Error) => e.message.includes(store.sql.display));
    });

    it('a finished trial with a tracked run groups the run under the sweep', async () => {
      const rec = await sweeps.create({ spec, runCap: 1, seed: 8 });
      const owner = await sweeps.claim(rec.id);
      const lease = await sweeps.startTrial(rec.id, owner, 0, 1, params, null);
      const run = await new Tracker(store).startRun({ git: null });
      await run.end();
      assert.ok(await sweeps.finishTrial(rec.id, 0, lease, { ...outcome(0.5), runId: run.id }));
      const t = new Tracker(store);
      assert.equal((await t.getRun(run.id)).sweepId, rec.id);
      assert.deepEqual(await t.tags(run.id), { sweep: rec.id, sweep_status: 'finished', sweep_trial: '0' });
    });

    it('of two handles claiming one sweep at once, each claim revokes the earlier: only the last owner may start', async () => {
      const rec = await sweeps.create({ spec, runCap: 2, seed: 7 });
      const other = await backend.open({ home });
      try {
        const b = new SweepStore(other);
        const [x, y] = await Promise.all([sweeps.claim(rec.id), b.claim(rec.id)]);
        assert.notEqual(x, y);
        const started = await Promise.allSettled([
          sweeps.startTrial(rec.id, x, 0, 1, params, null),
          b.startTrial(rec.id, y, 0, 1, params, null),
        ]);
        assert.equal(started.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one owner remains');
        assert.equal((await sweeps.trials(rec.id)).length, 1);
      } finally {
        await other.close();
      }
    });

    it('runs a sweep to run_cap with an in-process trial and records every trial once', async () => {
      const rec = await createSweep(sweeps, runnerSpec, { seed: 11 });
      const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 2) });
      assert.equal(res.sweep.status, 'finished');
      assert.deepEqual(
        res.trials.map((t) => [t.index, t.status, t.epochs]),
        [0, 1, 2, 3].map((i) => [i, 'finished', 5]),
      );
      const curves = await sweeps.curves(rec.id);
      for (const t of res.trials) assert.equal(curves.get(t.index)?.length, 5, `trial ${t.index} curve`);
    });

    it('refuses the result of an attempt whose trial was re-claimed by a resume, and records the new one once', async () => {
      const rec = await sweeps.create({ spec, runCap: 2, seed: 1 });
      const ownerA = await sweeps.claim(rec.id);
      const leaseA = await sweeps.startTrial(rec.id, ownerA, 0, 1, params, null);
      assert.ok(await sweeps.appendCurve(rec.id, 0, leaseA, 1, 1, 0.5));

      // Controller A is presumed dead; B resumes: A's running trial is interrupted and its lease revoked at once,
      // before B has re-started it (a late report in that gap is refused too).
      const ownerB = await sweeps.claim(rec.id);
      assert.equal((await sweeps.trials(rec.id))[0].status, 'interrupted');
      assert.equal(await sweeps.finishTrial(rec.id, 0, leaseA, outcome(0.9)), false);

      const leaseB = await sweeps.startTrial(rec.id, ownerB, 0, 2, params, null);
      assert.equal(
        await sweeps.finishTrial(rec.id, 0, leaseA, outcome(0.9)),
        false,
        'stale attempt cannot end the trial',
      );
      assert.equal(await sweeps.interruptTrial(rec.id, 0, leaseA), false, 'nor interrupt it');
      assert.equal(await sweeps.appendCurve(rec.id, 0, leaseA, 2, 2, 0.9), false, 'nor add to its curve');
      const running = (await sweeps.trials(rec.id))[0];
      assert.deepEqual([running.status, running.attempt, running.value], ['running', 2, null]);

      assert.ok(await sweeps.appendCurve(rec.id, 0, leaseB, 1, 1, 0.6));
      assert.equal(await sweeps.finishTrial(rec.id, 0, leaseB, outcome(0.7)), true);
      assert.equal(await sweeps.finishTrial(rec.id, 0, leaseB, outcome(0.8)), false, 'a result is recorded once');
      const done = (await sweeps.trials(rec.id))[0];
      assert.deepEqual([done.status, done.attempt, done.value], ['finished', 2, 0.7]);
      assert.deepEqual((await sweeps.curves(rec.id)).get(0), [0.6]);
    });

    it('a superseded controller can neither start trials nor set the sweep status', async () => {
      const rec = await sweeps.create({ spec, runCap: 2, seed: 2 });
      const ownerA = await sweeps.claim(rec.id);
      const ownerB = await sweeps.claim(rec.id);
      await assert.rejects(sweeps.startTrial(rec.id, ownerA, 0, 1, params, null), isConflict);
      assert.deepEqual(await sweeps.trials(rec.id), []);
      assert.equal(await sweeps.setStatus(rec.id, 'stopped', ownerA), false);
      assert.equal((await sweeps.get(rec.id)).status, 'running');
      assert.equal(await sweeps.setStatus(rec.id, 'finished', ownerB), true);
      assert.equal((await sweeps.get(rec.id)).status, 'finished');
    });

    it('refuses to take over a sweep whose trials a live process on this host is running; takes it once it is gone', async () => {
      const rec = await sweeps.create({ spec, runCap: 2, seed: 3 });
      const url = (await backend.url()) || undefined;
      // Another process claims the sweep and starts a trial, then waits (alive) until its stdin closes.
      const script = join(home, 'holder.mts');
      const src = (p: string) => JSON.stringify(pathToFileURL(resolve(import.meta.dirname, p)).href);
      writeFileSync(
        script,
        [
          `import { SweepStore } from ${src('../../src/sweep/store.ts')};`,
          `import { openStore } from ${src('../../src/track/store.ts')};`,
          `const sweeps = new SweepStore(await openStore({ home: ${JSON.stringify(home)}, url: ${JSON.stringify(url)} }));`,
          `const owner = await sweeps.claim(${JSON.stringify(rec.id)});`,
          `await sweeps.startTrial(${JSON.stringify(rec.id)}, owner, 0, 1, { 'learning-rate': 0.01 }, null);`,
          `process.stdout.write('ready\\n');`,
          `process.stdin.resume();`,
          `process.stdin.on('end', () => process.exit(0));`,
        ].join('\n'),
      );
      const holder: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
        env: { ...process.env, GNNOPS_LOG_LEVEL: 'silent' },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      try {
        const [line] = (await once(holder.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
        assert.equal(line.toString().trim(), 'ready');
        await assert.rejects(sweeps.claim(rec.id), isConflict);
        assert.equal((await sweeps.trials(rec.id))[0].status, 'running', 'a refused claim changes nothing');
      } finally {
        holder.stdin?.end();
        if (holder.exitCode === null) await once(holder, 'exit');
      }
      await sweeps.claim(rec.id);
      assert.equal((await sweeps.trials(rec.id))[0].status, 'interrupted');
    });
  });
}

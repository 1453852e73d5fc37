import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import type { TrialOutcome } from '../../src/sweep/types.js';
import { openStore, type Store } from '../../src/track/store.js';
import { isGnnopsError } from '../../src/util/errors.js';

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

describe('sweep store: trial ownership (attempt leases)', () => {
  let home: string;
  let store: Store;
  let sweeps: SweepStore;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'gnnops-sweep-store-'));
    store = await openStore({ home });
    sweeps = new SweepStore(store);
  });
  after(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses the result of an attempt whose trial was re-claimed by a resume, and records the new one once', async () => {
    const rec = sweeps.create({ spec, runCap: 2, seed: 1 });
    const ownerA = sweeps.claim(rec.id);
    const leaseA = sweeps.startTrial(rec.id, ownerA, 0, 1, params, null);
    assert.ok(sweeps.appendCurve(rec.id, 0, leaseA, 1, 1, 0.5));

    // Controller A is presumed dead; B resumes: A's running trial is interrupted and its lease revoked at once,
    // before B has re-started it (a late report in that gap is refused too).
    const ownerB = sweeps.claim(rec.id);
    assert.equal(sweeps.trials(rec.id)[0].status, 'interrupted');
    assert.equal(sweeps.finishTrial(rec.id, 0, leaseA, outcome(0.9)), false);

    const leaseB = sweeps.startTrial(rec.id, ownerB, 0, 2, params, null);
    assert.equal(sweeps.finishTrial(rec.id, 0, leaseA, outcome(0.9)), false, 'stale attempt cannot end the trial');
    assert.equal(sweeps.interruptTrial(rec.id, 0, leaseA), false, 'nor interrupt it');
    assert.equal(sweeps.appendCurve(rec.id, 0, leaseA, 2, 2, 0.9), false, 'nor add to its curve');
    const running = sweeps.trials(rec.id)[0];
    assert.deepEqual([running.status, running.attempt, running.value], ['running', 2, null]);

    assert.ok(sweeps.appendCurve(rec.id, 0, leaseB, 1, 1, 0.6));
    assert.equal(sweeps.finishTrial(rec.id, 0, leaseB, outcome(0.7)), true);
    assert.equal(sweeps.finishTrial(rec.id, 0, leaseB, outcome(0.8)), false, 'a result is recorded once');
    const done = sweeps.trials(rec.id)[0];
    assert.deepEqual([done.status, done.attempt, done.value], ['finished', 2, 0.7]);
    assert.deepEqual(sweeps.curves(rec.id).get(0), [0.6]);
  });

  it('a superseded controller can neither start trials nor set the sweep status', async () => {
    const rec = sweeps.create({ spec, runCap: 2, seed: 2 });
    const ownerA = sweeps.claim(rec.id);
    const ownerB = sweeps.claim(rec.id);
    assert.throws(() => sweeps.startTrial(rec.id, ownerA, 0, 1, params, null), isConflict);
    assert.deepEqual(sweeps.trials(rec.id), []);
    assert.equal(sweeps.setStatus(rec.id, 'stopped', ownerA), false);
    assert.equal(sweeps.get(rec.id).status, 'running');
    assert.equal(sweeps.setStatus(rec.id, 'finished', ownerB), true);
    assert.equal(sweeps.get(rec.id).status, 'finished');
  });

  it('refuses to take over a sweep whose trials a live process on this host is running; takes it once it is gone', async () => {
    const rec = sweeps.create({ spec, runCap: 2, seed: 3 });
    // Another process claims the sweep and starts a trial, then waits (alive) until its stdin closes.
    const script = join(home, 'holder.mts');
    const src = (p: string) => JSON.stringify(pathToFileURL(resolve(import.meta.dirname, p)).href);
    writeFileSync(
      script,
      [
        `import { SweepStore } from ${src('../../src/sweep/store.ts')};`,
        `import { openStore } from ${src('../../src/track/store.ts')};`,
        `const sweeps = new SweepStore(await openStore({ home: ${JSON.stringify(home)} }));`,
        `const owner = sweeps.claim(${JSON.stringify(rec.id)});`,
        `sweeps.startTrial(${JSON.stringify(rec.id)}, owner, 0, 1, { 'learning-rate': 0.01 }, null);`,
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
      assert.throws(() => sweeps.claim(rec.id), isConflict);
      assert.equal(sweeps.trials(rec.id)[0].status, 'running', 'a refused claim changes nothing');
    } finally {
      holder.stdin?.end();
      if (holder.exitCode === null) await once(holder, 'exit');
    }
    sweeps.claim(rec.id);
    assert.equal(sweeps.trials(rec.id)[0].status, 'interrupted');
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { SweepStore, type TrialRecord } from '../../src/sweep/store.js';
import { openStore } from '../../src/track/store.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'src/cli/main.ts');
const fixture = join(root, 'test/sweep/fixtures/synthetic-trial.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function snapshot(home: string): Promise<{ id: string; trials: TrialRecord[] } | null> {
  const store = await openStore({ home, recover: false });
  try {
    const sweeps = new SweepStore(store);
    const [s] = await sweeps.list();
    return s ? { id: s.id, trials: await sweeps.trials(s.id) } : null;
  } finally {
    await store.close();
  }
}

type Summary = { sweep: { status: string }; trials: TrialRecord[] };

/**
 * One CLI sweep of the synthetic trial in a fresh GNNOPS_HOME (removed after the suite, the sweep process
 * killed if still running): `start` launches it, `resume` runs `--resume ID --json` to completion, `lines` are
 * the trial log's lines split into words.
 */
function cliSweep(prefix: string, sweepYaml: string[], workers: number, trialEnv: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const yaml = join(home, 'sweep.yaml');
  writeFileSync(yaml, sweepYaml.join('\n'));
  const log = join(home, 'trials.log');
  const env = {
    ...process.env,
    GNNOPS_HOME: home,
    GNNOPS_LOG_LEVEL: 'silent',
    GNNOPS_TEST_TRIAL_LOG: log,
    ...trialEnv,
  };
  const args = ['--import', 'tsx', cli, 'sweep', '--workers', String(workers), '--trial-module', fixture];
  let child: ChildProcess | undefined;
  after(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });
  return {
    home,
    log,
    start(seed: number): ChildProcess {
      child = spawn(process.execPath, [...args, '--config', yaml, '--seed', String(seed)], { env, stdio: 'ignore' });
      return child;
    },
    resume(id: string, envOverride: Record<string, string> = {}): Summary {
      const res = spawnSync(process.execPath, [...args, '--resume', id, '--json'], {
        env: { ...env, ...envOverride },
        encoding: 'utf8',
      });
      assert.equal(res.status, 0, res.stderr);
      return JSON.parse(res.stdout) as Summary;
    },
    lines(): string[][] {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '));
    },
  };
}

describe('sweep crash and resume (CLI, 2 worker processes)', () => {
  const sweep = cliSweep(
    'gnnops-resume-',
    [
      'method: bayes',
      'metric: {name: val_acc, goal: maximize}',
      'run_cap: 10',
      'parameters:',
      '  learning-rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}',
      '  dropout: {min: 0.0, max: 0.5}',
      '  hidden-layers: {min: 1, max: 4}',
    ],
    2,
    // Epochs block the event loop like the trainer's: workers must notice the dead parent without 'disconnect'.
    { GNNOPS_TEST_TRIAL_MS: '25', GNNOPS_TEST_TRIAL_BUSY: '1' },
  );
  const { home, log } = sweep;

  it('kill -9 of the sweep mid-way, then --resume finishes exactly the remaining trials', async () => {
    const child = sweep.start(9);
    let before: { id: string; trials: TrialRecord[] } | null = null;
    for (let i = 0; i < 600; i++) {
      await sleep(50);
      const s = await snapshot(home);
      if (s && s.trials.filter((t) => t.status === 'finished').length >= 3) {
        child.kill('SIGKILL');
        break;
      }
    }
    await new Promise((r) => child.once('exit', r));
    // The kernel re-parents a process's children before its parent can see it exit, so every line logged past
    // this offset (until the resume) comes from a worker that can already tell its controller is gone.
    const atDeath = statSync(log).size;
    before = await snapshot(home);
    assert.ok(before, 'the sweep was recorded');
    const doneBefore = before.trials.filter((t) => t.status === 'finished');
    const runningBefore = before.trials.filter((t) => t.status === 'running');
    assert.ok(doneBefore.length >= 3 && doneBefore.length < 10, `${doneBefore.length} finished before the kill`);
    assert.ok(runningBefore.length >= 1, 'trials were running when the sweep was killed');

    // Worker processes notice the dead parent (IPC disconnect) and exit: no orphans keep training.
    const starts = () => sweep.lines().filter((l) => l[0] === 'start');
    const workerPids = [...new Set(starts().map((s) => Number(s[2])))];
    for (let i = 0; i < 100 && workerPids.some(alive); i++) await sleep(50);
    assert.deepEqual(workerPids.filter(alive), [], 'worker processes exited with their parent');
    const orphanLines = readFileSync(log).subarray(atDeath).toString('utf8').split('\n').filter(Boolean);

    const summary = sweep.resume(before.id);
    assert.equal(summary.sweep.status, 'finished');
    assert.equal(summary.trials.length, 10);
    assert.deepEqual(
      summary.trials.map((t) => t.index),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.ok(summary.trials.every((t) => t.status === 'finished'));

    const startCount = new Map<string, number>();
    for (const s of starts()) startCount.set(s[1], (startCount.get(s[1]) ?? 0) + 1);
    for (const t of doneBefore) {
      assert.equal(startCount.get(`${before.id}-${t.index}`), 1, `finished trial ${t.index} was not run again`);
      const after = summary.trials[t.index];
      assert.deepEqual([after.params, after.value, after.attempt], [t.params, t.value, 1]);
    }
    const ends = sweep.lines().filter((l) => l[0] === 'end');
    for (const t of runningBefore) {
      const trialId: string = `${before.id}-${t.index}`;
      assert.equal(startCount.get(trialId), 2, `interrupted trial ${t.index} re-ran once`);
      const [first, second] = starts().filter((s) => s[1] === trialId);
      // The orphaned first attempt stopped at its next epoch instead of training on for nobody: after the
      // controller died it logged at most the epoch it was in, or its end if it was already past its last epoch
      // (its result then had nobody to record it, so the trial was rightly re-run).
      const late = orphanLines.filter((l) => l.split(' ')[1] === trialId && l.split(' ')[2] === first[2]);
      assert.ok(late.length <= 1, `orphan of trial ${t.index} went on after its controller died: ${late.join(' | ')}`);
      // The resumed attempt ran to its end once, and its result is the one recorded.
      const resumedEnds = ends.filter((e) => e[1] === trialId && e[2] === second[2]);
      assert.equal(resumedEnds.length, 1, `interrupted trial ${t.index} completed once when resumed`);
      assert.deepEqual(summary.trials[t.index].params, t.params, 'with the same parameters');
      assert.equal(summary.trials[t.index].attempt, 2);
    }
    // Every trial that never started before the kill ran exactly once.
    for (let i = 0; i < 10; i++) {
      if (before.trials.some((t) => t.index === i)) continue;
      assert.equal(startCount.get(`${before.id}-${i}`), 1);
    }
  });
});

describe('a trial that finished training just as its sweep was killed (CLI, 1 worker process)', () => {
  // After its last epoch the trial works on synchronously for 1.5 s before it ends: the controller is killed
  // inside that window, so the race of the flaky CI run (training done, result not yet recorded) always happens.
  const sweep = cliSweep(
    'gnnops-resume-tail-',
    [
      'method: random',
      'metric: {name: val_acc, goal: maximize}',
      'run_cap: 1',
      'parameters:',
      '  dropout: {min: 0.0, max: 0.5}',
    ],
    1,
    { GNNOPS_TEST_TRIAL_MS: '2', GNNOPS_TEST_TRIAL_BUSY: '1', GNNOPS_TEST_TRIAL_TAIL_MS: '1500' },
  );

  it('nobody records the orphan’s result; --resume re-runs the trial and records it once', async () => {
    const child = sweep.start(3);
    let tail: string[] | undefined;
    for (let i = 0; i < 600 && !tail; i++) {
      await sleep(50);
      tail = sweep.lines().find((l) => l[0] === 'tail');
    }
    assert.ok(tail, 'the trial reached its last epoch');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphan = tail[2];
    for (let i = 0; i < 100 && alive(Number(orphan)); i++) await sleep(50);
    assert.equal(alive(Number(orphan)), false, 'the orphan exited');
    assert.ok(
      sweep.lines().some((l) => l[0] === 'end' && l[2] === orphan),
      'the orphan finished its trial function after the controller died',
    );
    const before = await snapshot(sweep.home);
    assert.ok(before);
    assert.deepEqual(
      before.trials.map((t) => [t.index, t.status, t.attempt, t.value]),
      [[0, 'running', 1, null]],
      'its result was not recorded',
    );

    const summary = sweep.resume(before.id, { GNNOPS_TEST_TRIAL_TAIL_MS: '0' });
    assert.equal(summary.sweep.status, 'finished');
    assert.deepEqual(
      summary.trials.map((t) => [t.index, t.status, t.attempt]),
      [[0, 'finished', 2]],
    );
    assert.deepEqual(summary.trials[0].params, before.trials[0].params);
    const starts = sweep.lines().filter((l) => l[0] === 'start');
    const ends = sweep.lines().filter((l) => l[0] === 'end');
    assert.equal(starts.length, 2);
    assert.deepEqual(
      ends.map((l) => l[2]),
      [orphan, starts[1][2]],
      'one end per attempt: the orphan’s (unrecorded) and the resumed one’s',
    );
  });
});

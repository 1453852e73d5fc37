import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { QueueExecutor } from '../../src/sweep/queue.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore, type TrialRecord } from '../../src/sweep/store.js';
import { openStore } from '../../src/track/store.js';

const REDIS = process.env.GNNOPS_TEST_REDIS;
const root = resolve(import.meta.dirname, '../..');
const fixture = join(root, 'test/sweep/fixtures/synthetic-trial.ts');
const cli = join(root, 'src/cli/main.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sweep over a BullMQ queue with two `gnnops sweep worker` processes', {
  skip: REDIS
    ? false
    : "GNNOPS_TEST_REDIS is not set (CI starts redis-server and sets it; locally: redis-server --port 6391 --daemonize yes --save '' and GNNOPS_TEST_REDIS=redis://127.0.0.1:6391)",
}, () => {
  const url = REDIS as string;
  const queueName = `gnnops-test-${randomBytes(4).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), 'gnnops-queue-'));
  const workers: ChildProcess[] = [];
  const log = join(home, 'trials.log');
  const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent', GNNOPS_TEST_TRIAL_LOG: log };
  after(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((res) => {
            if (w.exitCode !== null) return res();
            w.once('exit', () => res());
            w.kill('SIGTERM');
            setTimeout(() => w.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    const q = new Queue(queueName, { connection: { url } });
    await q.obliterate({ force: true });
    await q.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('workers pull the trials and the controller records their results, curves and who ran them', async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(
        spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            join(root, 'src/cli/main.ts'),
            'sweep',
            'worker',
            '--queue',
            url,
            '--queue-name',
            queueName,
            '--trial-module',
            fixture,
          ],
          {
            env: { ...env, GNNOPS_TEST_TRIAL_MS: '15' },
            stdio: 'ignore',
          },
        ),
      );
    }
    // Both workers must be connected before the sweep starts, or one may take every job (tsx start-up is slow).
    const probe = new Queue(queueName, { connection: { url } });
    for (let i = 0; i < 600 && (await probe.getWorkersCount()) < 2; i++) await sleep(100);
    assert.equal(await probe.getWorkersCount(), 2, 'both workers connected');
    await probe.close();
    const store = await openStore({ home });
    const sweeps = new SweepStore(store);
    const spec = parseSweepYaml(`
method: random
metric: {name: val_acc, goal: maximize}
run_cap: 8
early_terminate: {type: hyperband, min_iter: 3, eta: 3}
parameters:
  learning-rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  hidden-layers: {min: 1, max: 4}
`);
    const rec = await createSweep(sweeps, spec, { seed: 21, queue: url });
    const executor = new QueueExecutor({ url, name: queueName }, 4);
    try {
      const res = await runSweep(sweeps, rec.id, { executor });
      assert.equal(res.sweep.status, 'finished');
      assert.equal(res.trials.length, 8);
      assert.ok(
        res.trials.every((t) => t.status === 'finished' || t.status === 'stopped'),
        JSON.stringify(res.trials.map((t) => [t.status, t.error])),
      );
      // worker = "<host>:<pid of the queue worker>/pid:<trial process>"
      const queueWorkers = new Set(res.trials.map((t) => (t.worker ?? '').split('/')[0]));
      assert.equal(queueWorkers.size, 2, `trials ran on ${[...queueWorkers].join(', ')}`);
      assert.deepEqual(
        [...queueWorkers].map((w) => Number(w.split(':')[1])).sort(),
        workers.map((w) => w.pid as number).sort(),
      );
      // Per-epoch progress reached the controller: the stored curve has one point per reported epoch.
      const curves = await sweeps.curves(rec.id);
      for (const t of res.trials) assert.equal(curves.get(t.index)?.length, t.epochs, `trial ${t.index}`);
      for (const t of res.trials) {
        const cfg = t.config as { train: { lr: number } };
        assert.equal(cfg.train.lr, t.params['learning-rate']);
      }
    } finally {
      await executor.close();
      await store.close();
    }
  });

  it('a controller killed mid-sweep resumes from the queue: finished jobs are reused, none runs twice', async () => {
    const yaml = join(home, 'sweep.yaml');
    writeFileSync(
      yaml,
      'method: random\nmetric: {name: val_acc, goal: maximize}\nrun_cap: 8\nparameters:\n  learning-rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}\n',
    );
    const args = ['--import', 'tsx', cli, 'sweep', '--queue-name', queueName, '--workers', '2'];
    const controller = spawn(process.execPath, [...args, '--config', yaml, '--queue', url, '--seed', '4'], {
      env,
      stdio: 'ignore',
    });
    let id = '';
    for (let i = 0; i < 600 && !id; i++) {
      await sleep(50);
      const store = await openStore({ home, recover: false });
      try {
        const sweeps = new SweepStore(store);
        const s = (await sweeps.list()).find((x) => x.queue === url && x.spec.parameters.length === 1);
        if (s && (await sweeps.trials(s.id)).filter((t) => t.status === 'finished').length >= 2) id = s.id;
      } finally {
        await store.close();
      }
    }
    controller.kill('SIGKILL');
    await new Promise((r) => controller.once('exit', r));
    assert.ok(id, 'the sweep finished 2 trials before the kill');
    // The resumed controller goes back to the queue recorded with the sweep (no --queue given).
    const res = spawnSync(process.execPath, [...args, '--resume', id, '--json'], { env, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const summary = JSON.parse(res.stdout) as { sweep: { status: string }; trials: TrialRecord[] };
    assert.equal(summary.sweep.status, 'finished');
    assert.deepEqual(
      summary.trials.map((t) => [t.index, t.status]),
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, 'finished']),
    );
    const starts = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`start ${id}-`))
      .map((l) => l.split(' ')[1]);
    assert.equal(starts.length, 8, `trial starts: ${starts.join(', ')}`);
    assert.equal(new Set(starts).size, 8);
    // Trials in flight at the kill were re-attached to their jobs (attempt 2) rather than run again.
    assert.ok(
      summary.trials.some((t) => t.attempt === 2),
      JSON.stringify(summary.trials.map((t) => t.attempt)),
    );
  });
});

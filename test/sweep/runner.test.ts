import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { ProcessPoolExecutor } from '../../src/sweep/pool.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepSpec, parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import type { TrialFn } from '../../src/sweep/types.js';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { isGnnopsError } from '../../src/util/errors.js';
import { objective, trial as synthetic } from './fixtures/synthetic-trial.js';

const fixture = resolve(import.meta.dirname, 'fixtures/synthetic-trial.ts');

const spec = parseSweepYaml(`
method: random
metric: {name: val_acc, goal: maximize}
run_cap: 6
parameters:
  learning-rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  optimizer-name: {values: [Adam, AdamW]}
  hidden-channels: {min: 16, max: 256}
  num-epochs: {value: 12}
`);

describe('sweep runner', () => {
  let home: string;
  let store: Store;
  let sweeps: SweepStore;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'gnnops-sweep-'));
    store = await openStore({ home });
    sweeps = new SweepStore(store);
  });
  after(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs run_cap trials in this process, recording params, configs and the metric', async () => {
    const rec = await createSweep(sweeps, spec, { seed: 11 });
    const events: string[] = [];
    const res = await runSweep(sweeps, rec.id, {
      executor: new InProcessExecutor(synthetic, 2),
      onEvent: (e) => events.push(e.type),
    });
    assert.equal(res.sweep.status, 'finished');
    assert.equal(res.trials.length, 6);
    assert.deepEqual(
      res.trials.map((t) => t.index),
      [0, 1, 2, 3, 4, 5],
    );
    for (const t of res.trials) {
      assert.equal(t.status, 'finished');
      assert.equal(t.epochs, 12);
      const cfg = t.config as Parameters<typeof objective>[0];
      assert.equal(cfg.train.lr, t.params['learning-rate']);
      assert.equal(cfg.train.optimizer, String(t.params['optimizer-name']).toLowerCase());
      // The recorded value is what the trial computed from the config it was given.
      assert.ok(Math.abs((t.value as number) - objective(cfg) * (1 - Math.exp(-12 / 4))) < 1e-12);
    }
    assert.equal(events.filter((e) => e === 'trial-end').length, 6);
    const best = Math.max(...res.trials.map((t) => t.value as number));
    assert.equal(res.best?.value, best);
  });

  it('runs trials on worker processes and gets the same results as in-process for the same seed', async () => {
    const a = await createSweep(sweeps, spec, { seed: 5 });
    const b = await createSweep(sweeps, spec, { seed: 5 });
    const pool = new ProcessPoolExecutor({ workers: 2, module: fixture });
    try {
      const ra = await runSweep(sweeps, a.id, { executor: pool });
      const rb = await runSweep(sweeps, b.id, { executor: new InProcessExecutor(synthetic, 1) });
      assert.deepEqual(
        ra.trials.map((t) => [t.params, t.value]),
        rb.trials.map((t) => [t.params, t.value]),
      );
      const workers = new Set(ra.trials.map((t) => t.worker));
      assert.ok(workers.size >= 2, `trials ran on ${[...workers].join(', ')}`);
      assert.ok(![...workers].includes(`pid:${process.pid}`));
    } finally {
      await pool.close();
    }
  });

  it('groups the trials’ tracker runs under the sweep', async () => {
    const tracker = new Tracker(store, { tuning: { handleSignals: false } });
    const tracked: TrialFn = async (config, ctx) => {
      const run = await tracker.startRun({ config, git: null });
      const res = await synthetic(config, ctx);
      run.logMetrics(res.metrics);
      await run.end('finished');
      return { ...res, runId: run.id };
    };
    const rec = await createSweep(sweeps, { ...spec, run_cap: 3 }, { seed: 2 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(tracked, 1) });
    const rows = store.db
      .prepare<[string], { id: string }>('SELECT id FROM runs WHERE sweep_id = ? ORDER BY start_time')
      .all(rec.id);
    assert.deepEqual(
      rows.map((r) => r.id),
      res.trials.map((t) => t.runId),
    );
    const tag = store.db
      .prepare<[string], { value: string }>("SELECT value FROM tags WHERE run_id = ? AND key = 'sweep_trial'")
      .get(res.trials[2].runId as string);
    assert.equal(tag?.value, '2');
  });

  it('records failing trials with their error and carries on', async () => {
    const flaky: TrialFn = async (config, ctx) => {
      if (ctx.trialIndex % 2 === 1) throw new Error(`diverged at lr ${config.train.lr}`);
      return synthetic(config, ctx);
    };
    const rec = await createSweep(sweeps, { ...spec, run_cap: 4 }, { seed: 3 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(flaky, 1) });
    assert.deepEqual(
      res.trials.map((t) => t.status),
      ['finished', 'failed', 'finished', 'failed'],
    );
    assert.match(res.trials[1].error ?? '', /diverged at lr/);
  });

  it('says which metric was missing when a trial does not report it', async () => {
    const wrongName: TrialFn = async () => ({ metrics: { 'val/acc': 0.5 } });
    const rec = await createSweep(sweeps, { ...spec, run_cap: 1 }, { seed: 3 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(wrongName, 1) });
    assert.match(res.trials[0].error ?? '', /metric "val_acc" was not reported; got: val\/acc/);
  });

  it('stops launching trials once metric.target is reached', async () => {
    const s = { ...spec, run_cap: 50, metric: { name: 'val_acc', goal: 'maximize' as const, target: 0.5 } };
    const rec = await createSweep(sweeps, s, { seed: 4 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 1) });
    assert.ok(res.trials.length < 50);
    assert.ok((res.trials.at(-1)?.value as number) >= 0.5);
    assert.ok(res.trials.slice(0, -1).every((t) => (t.value as number) < 0.5));
  });

  it('stops the sweep instead of burning its budget when the trial module cannot load', async () => {
    const rec = await createSweep(sweeps, spec, { seed: 1 });
    const pool = new ProcessPoolExecutor({ workers: 1, module: join(home, 'missing-trial.ts') });
    try {
      await assert.rejects(
        runSweep(sweeps, rec.id, { executor: pool }),
        (e: unknown) => isGnnopsError(e) && /cannot load trial module/.test(e.message),
      );
      assert.equal((await sweeps.get(rec.id)).status, 'stopped');
      assert.ok((await sweeps.trials(rec.id)).every((t) => t.status === 'interrupted'));
    } finally {
      await pool.close();
    }
  });

  it('an aborted sweep records running trials as interrupted and a resume re-runs them with the same params', async () => {
    const rec = await createSweep(sweeps, { ...spec, run_cap: 6 }, { seed: 8 });
    const ac = new AbortController();
    let ends = 0;
    const slow: TrialFn = async (config, ctx) => {
      await new Promise((r) => setTimeout(r, ctx.trialIndex * 5));
      if (ctx.signal.aborted) throw new Error('aborted');
      return synthetic(config, ctx);
    };
    const first = await runSweep(sweeps, rec.id, {
      executor: new InProcessExecutor(slow, 2),
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'trial-end' && ++ends === 2) ac.abort();
      },
    });
    assert.equal(first.sweep.status, 'stopped');
    const interrupted = first.trials.filter((t) => t.status === 'interrupted');
    assert.ok(interrupted.length >= 1, JSON.stringify(first.trials.map((t) => t.status)));
    assert.ok(first.trials.length < 6);
    const second = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 2) });
    assert.equal(second.sweep.status, 'finished');
    assert.equal(second.trials.length, 6);
    assert.ok(second.trials.every((t) => t.status === 'finished'));
    for (const t of interrupted) {
      assert.deepEqual(second.trials[t.index].params, t.params);
      assert.equal(second.trials[t.index].attempt, 2);
    }
  });

  it('a controller whose sweep was resumed by another records nothing more: its late epoch and result are refused', async () => {
    const rec = await createSweep(sweeps, { ...spec, run_cap: 2 }, { seed: 21 });
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Controller A's trial reports an epoch, then stalls (a hung or paused process) until the test releases it.
    const stalled: TrialFn = async (_config, ctx) => {
      ctx.reportEpoch(1, { val_acc: 0.111 });
      started();
      await gate;
      ctx.reportEpoch(2, { val_acc: 0.222 });
      return { metrics: { val_acc: 0.333 } };
    };
    const endsA: number[] = [];
    const a = runSweep(sweeps, rec.id, {
      executor: new InProcessExecutor(stalled, 1),
      onEvent: (e) => {
        if (e.type === 'trial-end') endsA.push(e.index);
      },
    });
    await running;
    // Controller B resumes the sweep meanwhile (same pid here, so the live-process guard lets it).
    const b = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 1) });
    assert.equal(b.sweep.status, 'finished');
    assert.deepEqual(
      b.trials.map((t) => [t.index, t.status, t.attempt]),
      [
        [0, 'finished', 2],
        [1, 'finished', 1],
      ],
    );
    release();
    await assert.rejects(a, (e: unknown) => isGnnopsError(e) && e.code === 'E_CONFLICT');
    assert.deepEqual(endsA, [], 'A reported no trial end');
    assert.deepEqual(await sweeps.trials(rec.id), b.trials, "A's late result changed nothing");
    assert.equal((await sweeps.get(rec.id)).status, 'finished', 'nor the sweep status');
    const curve = (await sweeps.curves(rec.id)).get(0) ?? [];
    assert.equal(curve.length, 12, "trial 0's curve is B's 12 epochs");
    assert.ok(!curve.includes(0.111) && !curve.includes(0.222), JSON.stringify(curve));
  });

  it('applies Hyperband on worker processes exactly as in-process when trials run one at a time', async () => {
    const hb = { ...spec, run_cap: 8, early_terminate: { type: 'hyperband' as const, min_iter: 2, eta: 3 } };
    const a = await createSweep(sweeps, hb, { seed: 13 });
    const b = await createSweep(sweeps, hb, { seed: 13 });
    const pool = new ProcessPoolExecutor({ workers: 1, module: fixture });
    try {
      const ra = await runSweep(sweeps, a.id, { executor: pool });
      const rb = await runSweep(sweeps, b.id, { executor: new InProcessExecutor(synthetic, 1) });
      const shape = (ts: typeof ra.trials) => ts.map((t) => [t.status, t.epochs, t.stoppedAt]);
      assert.deepEqual(shape(ra.trials), shape(rb.trials));
      assert.ok(
        ra.trials.some((t) => t.status === 'stopped'),
        JSON.stringify(shape(ra.trials)),
      );
    } finally {
      await pool.close();
    }
  });

  it('an abort ends trials that block their event loop (SIGTERM, then SIGKILL) and records them interrupted', async () => {
    const rec = await createSweep(sweeps, { ...spec, run_cap: 2 }, { seed: 1 });
    const pool = new ProcessPoolExecutor({
      workers: 2,
      module: resolve(import.meta.dirname, 'fixtures/busy-trial.ts'),
      graceMs: 300,
    });
    const ac = new AbortController();
    let started = 0;
    try {
      const t0 = Date.now();
      const res = await runSweep(sweeps, rec.id, {
        executor: pool,
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.step === 3 && ++started === 2) ac.abort();
        },
      });
      assert.ok(Date.now() - t0 < 15_000, 'did not wait for the 20 s trials');
      assert.equal(res.sweep.status, 'stopped');
      assert.deepEqual(
        res.trials.map((t) => t.status),
        ['interrupted', 'interrupted'],
      );
    } finally {
      await pool.close();
    }
  });

  it('grid search stops at the grid size even with a larger run_cap', async () => {
    const grid = parseSweepSpec({
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      run_cap: 100,
      parameters: { 'model.hidden': { values: [16, 128] }, 'train.optimizer': { values: ['adam', 'adamw'] } },
    });
    const rec = await createSweep(sweeps, grid, { seed: 0 });
    assert.equal(rec.runCap, 4);
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 1) });
    assert.equal(res.trials.length, 4);
    assert.deepEqual(res.best?.params, { 'model.hidden': 128, 'train.optimizer': 'adamw' });
  });
});

/** The default TrialFn on real data: a small random sweep of GCN on Cora through the real trainer and tracker. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { trial } from '../../src/jobs/sweep-trial.js';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import { openStore } from '../../src/track/store.js';
import { coraMissing, coraRawDir } from '../data/shared-data.js';

describe('sweep trials through the trainer (Cora)', { skip: coraMissing }, () => {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-sweep-train-'));
  const saved = process.env.GNNOPS_HOME;
  after(async () => {
    process.env.GNNOPS_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it('each trial is a tracked run under the sweep whose stored config holds the sampled values', async () => {
    process.env.GNNOPS_HOME = home;
    const store = await openStore({ home });
    try {
      const sweeps = new SweepStore(store);
      const spec = parseSweepYaml(`
method: random
metric: {name: val_acc, goal: maximize}
run_cap: 3
parameters:
  learning-rate: {distribution: log_uniform_values, min: 1.0e-3, max: 5.0e-2}
  optimizer-name: {values: [Adam, AdamW, RMSprop]}
  hidden-layers: {values: [1, 2]}
  hidden-channels: {values: [8, 16]}
`);
      const rec = await createSweep(sweeps, spec, {
        seed: 2,
        base: { preset: 'gcn-planetoid', overrides: [`data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=25'] },
      });
      const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(trial, 1) });
      assert.equal(res.sweep.status, 'finished');
      for (const t of res.trials) {
        assert.equal(t.status, 'finished', t.error ?? '');
        assert.ok(t.epochs >= 1 && t.epochs <= 25);
        assert.ok((t.value as number) > 0.1 && (t.value as number) <= 1);
        const run = store.db
          .prepare<[string], { sweep_id: string; config_json: string; status: string }>(
            'SELECT sweep_id, config_json, status FROM runs WHERE id = ?',
          )
          .get(t.runId as string);
        assert.ok(run, `trial ${t.index} has a tracked run`);
        assert.equal(run.sweep_id, rec.id);
        const cfg = JSON.parse(run.config_json) as {
          train: { lr: number; optimizer: string };
          model: { layers: number; hidden: number };
        };
        assert.equal(cfg.train.lr, t.params['learning-rate']);
        assert.equal(cfg.train.optimizer, String(t.params['optimizer-name']).toLowerCase());
        assert.equal(cfg.model.layers, (t.params['hidden-layers'] as number) + 1);
        assert.equal(cfg.model.hidden, t.params['hidden-channels']);
        const logged = store.db
          .prepare<[string], { value: number }>(
            "SELECT value FROM metrics WHERE run_id = ? AND key = 'val_acc_mean' ORDER BY step DESC LIMIT 1",
          )
          .get(t.runId as string);
        assert.equal(logged?.value, t.value);
      }
      // Different sampled settings give different training trajectories: the training loss after epoch 5 differs.
      const loss5 = res.trials.map(
        (t) =>
          store.db
            .prepare<[string], { value: number }>(
              "SELECT value FROM metrics WHERE run_id = ? AND key = 'split0/train_loss' AND step = 5",
            )
            .get(t.runId as string)?.value,
      );
      assert.ok(loss5.every((v) => typeof v === 'number'));
      assert.equal(new Set(loss5).size, res.trials.length);
    } finally {
      await store.close();
    }
  });
});

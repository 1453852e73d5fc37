import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeSynthetic } from '../../src/data/synth.js';
import type { TrialContext } from '../../src/sweep/types.js';
import { openStore, Tracker } from '../../src/track/index.js';
import { sweepTrial } from '../../src/train/index.js';
import { testConfig } from './_fixtures.js';

describe('sweepTrial', () => {
  it('trains with the trial config, reports every epoch, honours Hyperband stop, records a run', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gnnops-trial-'));
    process.env.GNNOPS_HOME = home;
    const file = join(home, 'g.json');
    writeSynthetic(file, { nodes: 150, features: 8, seed: 2 });
    const steps: number[] = [];
    const ctx: TrialContext = {
      trialId: 'sw-0',
      sweepId: 'sw',
      trialIndex: 0,
      params: {},
      signal: new AbortController().signal,
      reportEpoch: (step, m) => {
        steps.push(step);
        assert.equal(typeof m.val_acc, 'number');
        return step >= 4 ? 'stop' : 'continue';
      },
    };
    const cfg = testConfig([`data.file=${file}`, 'train.splits=2', 'train.epochs=30', 'model.hidden=7']);
    const r = await sweepTrial(cfg, ctx);
    // Split 0 stops after step 4 (5 epochs); split 1 then stops after its first epoch without reporting.
    assert.deepEqual(steps, [0, 1, 2, 3, 4]);
    assert.ok(r.metrics.val_acc >= 0 && r.metrics.val_acc <= 1);
    const store = openStore({ home });
    const run = new Tracker(store).getRun(String(r.runId));
    assert.equal(run.status, 'finished');
    assert.equal(run.sweepId, 'sw');
    store.close();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { hyperbandBrackets, hyperbandDecide } from '../../src/sweep/hyperband.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import type { TrialFn } from '../../src/sweep/types.js';
import { openStore, type Store } from '../../src/track/store.js';

describe('hyperband brackets and rule', () => {
  it('builds W&B bracket schedules', async () => {
    assert.deepEqual(hyperbandBrackets({ type: 'hyperband', min_iter: 3, eta: 3 }, 100), [3, 9, 27, 81]);
    assert.deepEqual(hyperbandBrackets({ type: 'hyperband', max_iter: 27, s: 2, eta: 3 }), [3, 9]);
    assert.deepEqual(hyperbandBrackets({ type: 'hyperband', max_iter: 10, s: 5, eta: 2 }), [1, 2, 5]);
  });

  it('stops a trial worse than the value at index ⌊n/η⌋ of all values at its bracket', async () => {
    const table = {
      '3': [
        [1, 0.1],
        [2, 0.2],
        [3, 0.3],
        [4, 0.4],
        [5, 0.5],
      ] as Array<[number, number]>,
    };
    // 6 values → threshold = sorted[2].
    assert.equal(hyperbandDecide([3], 3, 9, [9, 9, 0.35], table).stop, true);
    assert.equal(hyperbandDecide([3], 3, 9, [9, 9, 0.25], table).stop, false);
    // Before the first bracket nothing is judged; its own entry in the table is not double counted.
    assert.equal(hyperbandDecide([3], 3, 9, [9, 9], table).band, undefined);
    const withSelf = { '3': [...table['3'], [9, 0.35]] as Array<[number, number]> };
    assert.equal(hyperbandDecide([3], 3, 9, [9, 9, 0.35], withSelf).threshold, 0.3);
    // Judged at the latest bracket reached.
    const d = hyperbandDecide([1, 3], 3, 9, [5, 5, 0.05], { ...table, '1': [[1, 0.1]] });
    assert.equal(d.band, 3);
    assert.equal(d.stop, false);
  });
});

/**
 * Synthetic learning curves: trial quality q in (0, 1), accuracy after epoch e = q · (1 − e^(−e/3)). Curves never
 * cross, so a correct rule stops only trials worse than earlier ones at the same bracket and never the best.
 */
const qualities = [0.55, 0.9, 0.3, 0.7, 0.2, 0.85, 0.4, 0.95, 0.1, 0.6, 0.5, 0.8];
const curveTrial: TrialFn = async (_config, ctx) => {
  const q = qualities[ctx.trialIndex];
  let acc = 0;
  for (let e = 1; e <= 20; e++) {
    acc = q * (1 - Math.exp(-e / 3));
    if (ctx.reportEpoch(e, { val_acc: acc }) === 'stop') break;
  }
  return { metrics: { val_acc: acc } };
};

describe('hyperband in a sweep', () => {
  let home: string;
  let store: Store;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'gnnops-hb-'));
    store = await openStore({ home });
  });
  after(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('stops poor trials at brackets 2, 6, 18 and lets the good ones run', async () => {
    const sweeps = new SweepStore(store);
    const spec = parseSweepSpec({
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      early_terminate: { type: 'hyperband', min_iter: 2, eta: 3 },
      parameters: { 'train.seed': { values: qualities.map((_, i) => i) } },
    });
    const rec = await createSweep(sweeps, spec, { seed: 1 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(curveTrial, 1) });
    assert.equal(res.trials.length, qualities.length);
    const stopped = res.trials.filter((t) => t.status === 'stopped');
    const finished = res.trials.filter((t) => t.status === 'finished');
    assert.ok(stopped.length >= 3, `stopped ${stopped.length}`);
    for (const t of stopped) {
      assert.ok([2, 6, 18].includes(t.epochs), `trial ${t.index} stopped after ${t.epochs} epochs`);
      assert.equal(t.stoppedAt, t.epochs);
      // Only a trial worse than some earlier one can be judged below the quantile.
      const earlierBetter = qualities.slice(0, t.index).filter((q) => q > qualities[t.index]).length;
      assert.ok(earlierBetter >= 1, `trial ${t.index} (q ${qualities[t.index]}) had no better predecessor`);
    }
    const bestIndex = qualities.indexOf(Math.max(...qualities));
    assert.equal(res.trials[bestIndex].status, 'finished');
    assert.equal(res.best?.index, bestIndex);
    for (const t of finished) assert.equal(t.epochs, 20);
    const total = res.trials.reduce((n, t) => n + t.epochs, 0);
    assert.ok(total < 20 * qualities.length * 0.8, `epochs used ${total}`);
    // The curve of each trial is stored for resume.
    assert.equal((await sweeps.curves(rec.id)).get(bestIndex)?.length, 20);
  });
});

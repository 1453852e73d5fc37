import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Callback } from '../../src/train/callbacks/callback.js';
import { MetricLogger } from '../../src/train/callbacks/metric-logger.js';
import { runProtocol } from '../../src/train/protocol.js';
import { Trainer } from '../../src/train/trainer.js';
import { makeTask, refBackend, testConfig, tinyGraph } from './_fixtures.js';

describe('Trainer', () => {
  it('learns the tiny synthetic graph: training loss falls, accuracy beats chance; hooks run in order', () => {
    const s = makeTask(testConfig(['train.lr=0.05']));
    const calls: string[] = [];
    const spy: Callback = {
      name: 'spy',
      onFitStart: () => calls.push('start'),
      onEpochEnd: (_t, _task, m) => calls.push(`epoch${m.epoch}`),
      onFitEnd: () => calls.push('end'),
    };
    const fit = new Trainer({ maxEpochs: 40, callbacks: [spy] }).fit(s.task);
    assert.deepEqual(calls, ['start', ...Array.from({ length: 40 }, (_, i) => `epoch${i}`), 'end']);
    assert.ok(fit.history[39].train_loss < 0.5 * fit.history[0].train_loss);
    assert.ok(fit.final.test_acc > 2 / s.task.data.numClasses, `test acc ${fit.final.test_acc}`);
    s.dispose();
  });

  it('MetricLogger sends per-epoch series with the split prefix; the protocol summary is consistent with its runs', () => {
    const points: [string, number, number][] = [];
    const sink = {
      logMetrics: (m: Record<string, number>, step?: number) => {
        for (const [k, v] of Object.entries(m)) points.push([k, v, step ?? -1]);
      },
    };
    const s = makeTask(testConfig());
    new Trainer({ maxEpochs: 3, callbacks: [new MetricLogger(sink, 'split2/')] }).fit(s.task);
    s.dispose();
    assert.deepEqual([...new Set(points.map(([k]) => k))].sort(), [
      'split2/epoch_ms',
      'split2/stopping_acc',
      'split2/stopping_loss',
      'split2/train_acc',
      'split2/train_loss',
      'split2/val_acc',
      'split2/val_loss',
    ]);
    assert.deepEqual([...new Set(points.map(([, , st]) => st))], [0, 1, 2]);

    const r = runProtocol({
      config: testConfig(['train.epochs=15', 'train.splits=3']),
      data: tinyGraph(),
      backend: refBackend,
    });
    const accs = r.runs.map((x) => x.final.test_acc);
    assert.ok(Math.abs(r.summary.test_acc_mean - accs.reduce((a, b) => a + b) / 3) < 1e-12);
    const bestVal = Math.max(...r.runs.map((x) => x.final.val_acc));
    assert.equal(r.runs[r.best.index].final.val_acc, bestVal);
  });
});

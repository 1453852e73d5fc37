/**
 * Early stopping watches the stopping mask (WikiCS) or val (Planetoid), not some other mask, and restores the best
 * weights.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskToRows } from '../../src/engine/index.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import { Trainer } from '../../src/train/trainer.js';
import { makeTask, testConfig, tinyGraph } from './_fixtures.js';

describe('EarlyStopping', () => {
  it('selects the epoch of the lowest stopping-mask loss (not val) and restores exactly those weights', () => {
    const data = tinyGraph();
    const s = makeTask(testConfig(['train.lr=0.01', 'model.dropout=0.5']), data);
    const es = new EarlyStopping({ patience: 8 });
    const fit = new Trainer({ maxEpochs: 120, callbacks: [es] }).fit(s.task);
    const h = fit.history;
    const argmin = (k: 'stopping_loss' | 'val_loss') => h.reduce((b, m, i) => (m[k] < h[b][k] ? i : b), 0);
    assert.equal(fit.bestEpoch, argmin('stopping_loss'));
    assert.notEqual(
      argmin('stopping_loss'),
      argmin('val_loss'),
      'fixture: the two masks must disagree for this test to mean anything',
    );
    assert.equal(fit.final.stopping_loss, h[fit.bestEpoch].stopping_loss);
    assert.equal(fit.final.val_acc, h[fit.bestEpoch].val_acc);
    assert.equal(fit.epochs, fit.bestEpoch + 8 + 1);
    assert.equal(es.stateDict().best_epoch, fit.bestEpoch);
    s.dispose();
  });

  it('maps the stopping mask to the split stopping set on WikiCS data and to val on Planetoid data', () => {
    const data = tinyGraph();
    const w = makeTask(testConfig(), data);
    assert.deepEqual(w.task.rows.stopping, maskToRows(data.splits[0].stopping));
    assert.notDeepEqual(w.task.rows.stopping, w.task.rows.val);
    w.dispose();
    const p = makeTask(testConfig(), { ...data, stoppingMask: 'val' });
    assert.deepEqual(p.task.rows.stopping, maskToRows(data.splits[0].val));
    p.dispose();
  });

  it('monitor=acc maximises stopping accuracy', () => {
    const s = makeTask(testConfig(['train.lr=0.1']));
    const fit = new Trainer({ maxEpochs: 60, callbacks: [new EarlyStopping({ patience: 10, monitor: 'acc' })] }).fit(
      s.task,
    );
    const best = Math.max(...fit.history.map((m) => m.stopping_acc));
    assert.equal(fit.history[fit.bestEpoch].stopping_acc, best);
    assert.equal(
      fit.history.findIndex((m) => m.stopping_acc === best),
      fit.bestEpoch,
    );
    s.dispose();
  });
});

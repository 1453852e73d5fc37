/**
 * The batched multi-split GCN must train exactly the models the sequential protocol trains: same initial weights,
 * dropout masks, per-split early stopping and final metrics (float sums may differ in the last bits, so losses are
 * compared to 1e-5 and the stopping decisions exactly).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProtocol } from '../../../src/train/protocol.js';
import { refBackend, testConfig, tinyGraph } from '../_fixtures.js';

function both(overrides: string[], data = tinyGraph()) {
  const seq = runProtocol({
    config: testConfig([...overrides, 'train.batch_splits=false']),
    data,
    backend: refBackend,
  });
  const bat = runProtocol({ config: testConfig([...overrides, 'train.batch_splits=true']), data, backend: refBackend });
  return { seq, bat };
}

describe('batched GCN over splits', () => {
  it('matches the sequential protocol run by run (splits, dropout, patience stopping some runs early)', () => {
    const { seq, bat } = both(['train.splits=4', 'train.epochs=40', 'train.patience=6', 'train.lr=0.03']);
    assert.equal(seq.summary.batched, false);
    assert.equal(bat.summary.batched, true);
    assert.ok(
      seq.runs.some((r) => r.epochs < 40),
      'fixture: some run must stop early',
    );
    for (const [i, s] of seq.runs.entries()) {
      const b = bat.runs[i];
      assert.equal(b.epochs, s.epochs, `run ${i} epochs`);
      assert.equal(b.bestEpoch, s.bestEpoch, `run ${i} best epoch`);
      for (const [k, v] of Object.entries(s.final)) {
        assert.ok(
          Math.abs(v - b.final[k as keyof typeof b.final]) < 1e-5,
          `run ${i} ${k}: ${v} vs ${b.final[k as keyof typeof b.final]}`,
        );
      }
    }
    assert.equal(bat.best.index, seq.best.index);
    for (const [k, v] of seq.best.state) {
      const w = bat.best.state.get(k);
      assert.deepEqual(w?.shape, v.shape);
      for (let j = 0; j < v.data.length; j++)
        assert.ok(Math.abs(v.data[j] - (w?.data[j] ?? Number.NaN)) < 1e-5, `${k}[${j}]`);
    }
  });

  it('matches for seeds on a fixed split, monitor=acc and SGD with momentum', () => {
    const data = { ...tinyGraph(), splits: [tinyGraph().splits[0]], stoppingMask: 'val' as const };
    const { seq, bat } = both(
      [
        'train.seeds=3',
        'train.epochs=25',
        'train.patience=5',
        'train.monitor=acc',
        'train.optimizer=sgd',
        'train.lr=0.2',
      ],
      data,
    );
    for (const [i, s] of seq.runs.entries()) {
      assert.equal(bat.runs[i].epochs, s.epochs);
      assert.equal(bat.runs[i].bestEpoch, s.bestEpoch);
      assert.ok(Math.abs(bat.runs[i].final.test_loss - s.final.test_loss) < 1e-5);
    }
  });
});

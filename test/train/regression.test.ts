/** A small fixed-seed Cora run against stored losses (fixtures/cora-regression.ts made them). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { coraMissing, coraRawDir } from '../data/shared-data.js';
import { coraLosses, EPOCHS } from './fixtures/cora-regression.js';

describe('Cora regression', () => {
  it(`GCN preset, seed 0, ${EPOCHS} epochs: losses and test accuracy match the stored run`, {
    skip: coraMissing,
  }, async () => {
    process.env.GNNOPS_HOME = mkdtempSync(join(tmpdir(), 'gnnops-reg-'));
    const want = JSON.parse(readFileSync(new URL('./fixtures/cora-losses.json', import.meta.url), 'utf8')) as Awaited<
      ReturnType<typeof coraLosses>
    >;
    const got = await coraLosses(coraRawDir);
    assert.equal(got.train_loss.length, EPOCHS);
    for (const k of ['train_loss', 'stopping_loss'] as const) {
      for (const [i, v] of got[k].entries()) {
        assert.ok(Math.abs(v - want[k][i]) <= 1e-5 * Math.abs(want[k][i]), `${k}[${i}]: ${v} vs ${want[k][i]}`);
      }
    }
    assert.equal(got.test_acc, want.test_acc);
    // The run learns: the training loss falls over the first epochs.
    assert.ok(got.train_loss[EPOCHS - 1] < got.train_loss[0]);
  });
});

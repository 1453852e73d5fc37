import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ci95, mean, median, std, tQuantile975 } from '../../src/train/stats.js';

describe('stats', () => {
  it('mean, sample std, median', () => {
    const v = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(v), 5);
    assert.ok(Math.abs(std(v) - Math.sqrt(32 / 7)) < 1e-12);
    assert.equal(median(v), 4.5);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(std([1]), 0);
  });

  it('95% CI uses Student t: df 19 → 2.093, large df approaches 1.96', () => {
    assert.equal(tQuantile975(19), 2.093);
    assert.ok(Math.abs(tQuantile975(31) - 2.0395) < 2e-3);
    assert.ok(Math.abs(tQuantile975(1000) - 1.9623) < 1e-3);
    const v = Array.from({ length: 20 }, (_, i) => 0.7 + 0.01 * (i % 5));
    assert.ok(Math.abs(ci95(v) - (2.093 * std(v)) / Math.sqrt(20)) < 1e-12);
    assert.equal(ci95([0.5]), 0);
  });
});

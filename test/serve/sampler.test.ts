import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureSampler } from '../../src/request-log/sampler.js';

/** Calls the sampler n times at clock t and counts the yeses. */
function burst(s: () => boolean, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (s()) k++;
  return k;
}

describe('featureSampler', () => {
  it('stores every input below the cap and at most the cap per second above it', () => {
    let t = 0;
    const s = featureSampler(1, 10, () => t);
    assert.equal(burst(s, 100), 10, 'a burst gets one second of tokens');
    t = 500;
    assert.equal(burst(s, 100), 5, 'half a second refills half');
    t = 10_000;
    assert.equal(burst(s, 100), 10, 'an idle server does not bank more than one second');
    // a steady 4 requests per second (below the cap of 10): every one is stored
    let stored = 0;
    for (let i = 0; i < 40; i++) {
      t += 250;
      if (s()) stored++;
    }
    assert.equal(stored, 40);
  });

  it('applies the share first, then the cap; 0 turns either off', () => {
    let t = 0;
    assert.equal(
      burst(
        featureSampler(0, 10, () => t),
        100,
      ),
      0,
    );
    assert.equal(
      burst(
        featureSampler(1, 0, () => t),
        1000,
      ),
      1000,
      'cap 0 = unlimited',
    );
    const half = featureSampler(0.5, 0, () => t);
    const k = burst(half, 10_000);
    assert.ok(k > 4_700 && k < 5_300, `share 0.5 stored ${k} of 10,000`);
    const capped = featureSampler(0.5, 100, () => t);
    let total = 0;
    for (let sec = 0; sec < 10; sec++) {
      t += 1000;
      total += burst(capped, 1000); // 1,000 requests/s: ~500 pass the share, 100 the cap
    }
    assert.equal(total, 1000);
  });
});

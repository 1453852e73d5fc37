import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/engine/rng.js';

describe('Rng (xoshiro128**)', () => {
  it('repeats the same stream for the same seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    const sb = Array.from({ length: 100 }, () => b.nextU32());
    const sc = Array.from({ length: 100 }, () => c.nextU32());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
    for (const v of sa) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
  });

  it('has uniform moments and a normal with unit variance', () => {
    const r = new Rng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let g = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      assert.ok(u >= 0 && u < 1);
      s += u;
      s2 += u * u;
      const z = r.normal();
      g += z;
      g2 += z * z;
    }
    // Standard errors: mean 0.5 ± 0.0006, E[u²] = 1/3, normal mean ± 0.002, variance ± 0.003 at n = 2e5.
    assert.ok(Math.abs(s / n - 0.5) < 0.003);
    assert.ok(Math.abs(s2 / n - 1 / 3) < 0.003);
    assert.ok(Math.abs(g / n) < 0.01);
    assert.ok(Math.abs(g2 / n - 1) < 0.015);
  });

  it('draws Bernoulli masks at the requested keep rate, with p = 0 and p = 1 exact', () => {
    const r = new Rng(1);
    const m = new Uint8Array(100_000);
    r.bernoulliMask(m, 0.25);
    const kept = m.reduce((a, b) => a + b, 0) / m.length;
    assert.ok(Math.abs(kept - 0.75) < 0.01, `kept ${kept}`);
    r.bernoulliMask(m, 0);
    assert.equal(
      m.reduce((a, b) => a + b, 0),
      m.length,
    );
    r.bernoulliMask(m, 1);
    assert.equal(
      m.reduce((a, b) => a + b, 0),
      0,
    );
  });

  it('restores its state exactly (checkpoints)', () => {
    const r = new Rng(99);
    r.normal();
    const st = r.getState();
    const after = [r.normal(), r.next(), r.nextU32()];
    const q = new Rng(0);
    q.setState(st);
    assert.deepEqual([q.normal(), q.next(), q.nextU32()], after);
  });

  it('shuffles into a permutation', () => {
    const a = new Rng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      [...a],
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe('Rng.bernoulliMask', () => {
  it('draws the same stream as nextU32 (one draw per element) and leaves the generator in the same state', () => {
    for (const p of [0, 0.4, 0.5, 0.999, 1]) {
      const a = new Rng(5);
      const b = new Rng(5);
      const m = new Uint8Array(1000);
      a.bernoulliMask(m, p);
      const threshold = Math.round(p * 2 ** 32);
      for (let i = 0; i < m.length; i++) assert.equal(m[i], b.nextU32() >= threshold ? 1 : 0, `p=${p} i=${i}`);
      assert.equal(a.nextU32(), b.nextU32());
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RadixSorter } from '../../src/monitor/radix-sort.js';
import { makeRng } from '../../src/monitor/synthetic.js';

describe('RadixSorter.sortedColumn', () => {
  it('equals Float32Array.prototype.sort on mixed-sign, tied, tiny and huge values', () => {
    const rng = makeRng(3);
    const sorter = new RadixSorter();
    for (const rows of [1, 7, 1000, 5003]) {
      const cols = 3;
      const f = new Float32Array(rows * cols);
      for (let i = 0; i < f.length; i++) {
        const u = rng();
        f[i] =
          u < 0.1
            ? Math.round(rng() * 4) - 2
            : u < 0.2
              ? (rng() - 0.5) * 1e-30
              : (rng() - 0.5) * 10 ** (rng() * 20 - 10);
      }
      for (let c = 0; c < cols; c++) {
        const expected = Float32Array.from({ length: rows }, (_, r) => f[r * cols + c]).sort();
        assert.deepEqual(Array.from(sorter.sortedColumn(f, rows, cols, c)), Array.from(expected));
      }
    }
  });

  it('drops NaN and ±Infinity', () => {
    const f = Float32Array.from([3, Number.NaN, -1, Number.POSITIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]);
    assert.deepEqual(Array.from(new RadixSorter().sortedColumn(f, 6, 1, 0)), [-1, 0, 3]);
  });
});

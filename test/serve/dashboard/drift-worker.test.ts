/**
 * The server's background drift check runs on a worker thread: its snapshot must be the one the same check gives on
 * the calling thread. Fixture: a profile of 400 standard-normal rows (seeded) and a request log holding 30 clean and
 * 30 shifted subgraph requests, so the check has something to find.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { requestLogSnapshot } from '../../../src/monitor/drift-check.js';
import { computeProfile } from '../../../src/monitor/profile.js';
import { DriftWorker } from '../../../src/serve/dashboard/drift-worker.js';
import { batchInserter } from '../../../src/serve/request-log/insert.js';
import { readRequestLog } from '../../../src/serve/request-log/reader.js';
import { mulberry32 } from '../../../src/util/random.js';
import { logRow, openLogStore, tempHome } from '../helpers.js';

const F = 6;
const r = mulberry32(3);
const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const matrix = (rows: number, shift: number) => Float32Array.from({ length: rows * F }, () => normal() + shift);

describe('DriftWorker', () => {
  const store = openLogStore(tempHome());
  const worker = new DriftWorker(store.path);
  after(async () => {
    await worker.close();
    store.close();
  });

  it('gives the snapshot the calling thread computes, and says so when there is nothing to compare', async () => {
    const profile = computeProfile(matrix(400, 0), 400, F);
    const empty = await worker.check(profile, 100);
    assert.deepEqual(empty, requestLogSnapshot(profile, []));
    assert.equal(empty.available, false);

    const rows = [];
    for (let k = 0; k < 60; k++) {
      const row = logRow(`req-${k}`, 1_000 + k, matrix(2, k < 30 ? 0 : 1.5));
      rows.push({ ...row, numFeatures: F });
    }
    batchInserter(store.db)(rows);
    for (const window of [20, 60]) {
      const fromWorker = await worker.check(profile, window);
      const here = requestLogSnapshot(profile, readRequestLog(store.db, { last: window }));
      // everything but the time each report was made
      assert.deepEqual({ ...fromWorker, generatedAt: 0 }, { ...here, generatedAt: 0 }, `window ${window}`);
      assert.equal(fromWorker.available, true);
    }
    const shifted = await worker.check(profile, 20);
    assert.ok(shifted.driftShare > 0.5, `the shifted window drifts: share ${shifted.driftShare}`);
  });
});

/**
 * The server's drift computations (the background check, the dashboard's latest report and history) run on a worker
 * thread: each result must be the one the same job gives on the calling thread. Fixture: a profile of 400 standard-normal rows (seeded) and a request log holding 30 clean and
 * 30 shifted subgraph requests, so the check has something to find.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { requestLogSnapshot } from '../../../src/monitor/drift-check.js';
import { computeProfile } from '../../../src/monitor/profile.js';
import { insertRequestLog } from '../../../src/request-log/insert.js';
import { readRequestLog } from '../../../src/request-log/reader.js';
import { DriftWorker, runDriftJob } from '../../../src/serve/dashboard/drift-worker.js';
import { mulberry32 } from '../../../src/util/random.js';
import { logRow, openLogStore, tempHome } from '../helpers.js';

const F = 6;
const r = mulberry32(3);
const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const matrix = (rows: number, shift: number) => Float32Array.from({ length: rows * F }, () => normal() + shift);

describe('DriftWorker', async () => {
  const store = await openLogStore(tempHome());
  const worker = new DriftWorker(store.target);
  after(async () => {
    await worker.close();
    await store.db.close();
  });

  it('gives the results the calling thread computes, and says so when there is nothing to compare', async () => {
    const profile = computeProfile(matrix(400, 0), 400, F);
    const empty = await worker.snapshot(profile, { window: 100 });
    assert.deepEqual(empty, requestLogSnapshot(profile, []));
    assert.equal(empty.available, false);

    const rows = [];
    for (let k = 0; k < 60; k++) {
      const row = logRow(`req-${k}`, 1_000 + k, matrix(2, k < 30 ? 0 : 1.5));
      rows.push({ ...row, numFeatures: F });
    }
    await insertRequestLog(store.db, rows, 'test');
    // everything but the time (and duration) of each report
    const timeless = (r: unknown) =>
      JSON.parse(JSON.stringify(r, (k, v) => (/^(generated_?[aA]t|duration_?ms|durationMs)$/.test(k) ? 0 : v)));
    for (const window of [20, 60]) {
      const fromWorker = await worker.snapshot(profile, { window });
      const here = requestLogSnapshot(profile, await readRequestLog(store.db, { last: window }));
      assert.deepEqual(timeless(fromWorker), timeless(here), `window ${window}`);
      assert.equal(fromWorker.available, true);
      const latest = await worker.latest(profile, 'test profile', { window });
      assert.deepEqual(
        timeless(latest),
        timeless(await runDriftJob(store.db, { kind: 'latest', profile, source: 'test profile', window })),
      );
      assert.equal(latest.requests, window);
      const history = await worker.history(profile, 4, { window });
      assert.deepEqual(history, await runDriftJob(store.db, { kind: 'history', profile, window, windows: 4 }));
      assert.equal(history.points.length, 4);
    }
    const shifted = await worker.snapshot(profile, { window: 20 });
    assert.ok(shifted.driftShare > 0.5, `the shifted window drifts: share ${shifted.driftShare}`);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { driftReport } from '../../src/monitor/drift-report.js';
import { computeProfile } from '../../src/monitor/profile.js';
import { parseProfile, readProfile, serializeProfile, writeProfile } from '../../src/monitor/profile-io.js';
import { syntheticWindow } from '../../src/monitor/synthetic.js';
import { GnnopsError } from '../../src/util/errors.js';

const ref = syntheticWindow({ rows: 2000, cols: 8, seed: 1 });
const profile = computeProfile(ref.features, ref.rows, ref.cols, {
  predictions: ref.predictions,
  numClasses: 10,
  degrees: ref.degrees,
  subgraphSizes: ref.subgraphSizes,
  meta: { dataset: 'synthetic' },
});

describe('computeProfile', () => {
  it('sketches every column and counts predictions per class', () => {
    assert.equal(profile.features.length, 8);
    assert.equal(profile.rows, 2000);
    assert.equal(profile.features[0].kind, 'quantile');
    assert.equal(profile.degrees?.kind, 'exact'); // integer degrees have few distinct values
    assert.equal(
      profile.predictions?.counts.reduce((a, b) => a + b, 0),
      2000,
    );
    assert.equal(profile.predictions?.counts[2], Array.from(ref.predictions).filter((p) => p === 2).length);
  });

  it('skips non-finite values and reports how many per column', () => {
    const f = Float32Array.from([1, Number.NaN, 2, 3, 4, Number.POSITIVE_INFINITY]);
    const p = computeProfile(f, 3, 2);
    assert.deepEqual(p.missing, [0, 2]);
    assert.equal(p.features[1].n, 1);
  });

  it('rejects inputs a caller can get wrong, naming the field', () => {
    const bad = (fn: () => unknown, field: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof GnnopsError && field.test(e.message));
    bad(() => computeProfile(new Float32Array(5), 2, 3), /features: length 5/);
    bad(() => computeProfile(new Float32Array(6), 2, 3, { predictions: [0, 1] }), /numClasses/);
    bad(() => computeProfile(new Float32Array(6), 2, 3, { predictions: [0, 4], numClasses: 3 }), /predictions\[1\]/);
    bad(() => computeProfile(new Float32Array(6), 2, 3, { featureNames: ['a'] }), /featureNames/);
  });
});

describe('profile files', () => {
  it('round-trip to a report identical up to float32 knot rounding', () => {
    const back = parseProfile(serializeProfile(profile));
    assert.equal(back.features[0].x.length, 1001);
    assert.deepEqual(back.predictions, profile.predictions);
    assert.deepEqual(Array.from(back.degrees!.x), Array.from(profile.degrees!.x)); // exact kind stays float64
    const cur = syntheticWindow({ rows: 700, cols: 8, seed: 4 });
    const a = driftReport(profile, cur, { histBins: 0 });
    const b = driftReport(back, cur, { histBins: 0 });
    for (let c = 0; c < 8; c++) assert.ok(Math.abs(a.features[c].score - b.features[c].score) < 1e-5);
    assert.equal(a.structure.degrees?.score, b.structure.degrees?.score);
  });

  it('are written atomically and read back; junk is a DATA_INVALID error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-profile-'));
    try {
      const path = join(dir, 'p.json');
      writeProfile(path, profile);
      assert.equal(readProfile(path).cols, 8);
      writeFileSync(join(dir, 'junk.json'), '{"format":"something-else"}');
      assert.throws(
        () => readProfile(join(dir, 'junk.json')),
        (e: unknown) => e instanceof GnnopsError && e.code === 'E_DATA_INVALID' && /junk\.json/.test(e.message),
      );
      assert.throws(
        () => readProfile(join(dir, 'missing.json')),
        (e: unknown) => e instanceof GnnopsError,
      );
      const doc = JSON.parse(serializeProfile(profile));
      doc.features[0].x = doc.features[0].x.slice(0, 40); // truncated knots
      assert.throws(() => parseProfile(JSON.stringify(doc)), /features\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

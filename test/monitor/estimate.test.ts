/**
 * The label-free accuracy estimate on windows whose labels are known. Fixture: generated windows where each
 * prediction's confidence p is drawn first and whether it is right is then drawn as Bernoulli(p), so the
 * confidences are calibrated by construction and the realised accuracy of every window is known. Purpose: the
 * interval must cover the realised accuracy (and per-class precision) at its stated rate over many seeded windows,
 * and must visibly fail to when the confidences are over-confident.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bernoulliSumInterval,
  EstimateAccumulator,
  type EstimateRow,
  estimateAccuracy,
  estimateByVersion,
  normalQuantileUpper,
  versionFacts,
  withFacts,
} from '../../src/monitor/estimate.js';
import { mulberry32 } from '../../src/util/random.js';

interface Window {
  predictions: Int32Array;
  confidence: Float32Array;
  correct: Uint8Array;
}

/**
 * A window of n predictions over k classes. Confidences spread over [1/k, 1) with a class-dependent tilt, so classes
 * differ in precision; `truth(p)` is the real probability of being right (p itself when calibrated).
 */
function drawWindow(rand: () => number, n: number, k: number, truth: (p: number) => number = (p) => p): Window {
  const predictions = new Int32Array(n);
  const confidence = new Float32Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * k);
    const u = rand() ** (1 + c / k);
    const p = 1 / k + (1 - 1 / k) * u * 0.999;
    predictions[i] = c;
    confidence[i] = p;
    correct[i] = rand() < truth(Math.fround(p)) ? 1 : 0;
  }
  return { predictions, confidence, correct };
}

const realised = (w: Window, cls?: number) => {
  let n = 0;
  let right = 0;
  for (let i = 0; i < w.correct.length; i++)
    if (cls === undefined || w.predictions[i] === cls) {
      n++;
      right += w.correct[i];
    }
  return right / n;
};

describe('label-free accuracy estimate', () => {
  it('the normal quantile matches the tables', () => {
    assert.ok(Math.abs(normalQuantileUpper(0.025) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantileUpper(0.05) - 1.644854) < 1e-5);
    assert.ok(Math.abs(normalQuantileUpper(0.5)) < 1e-9);
  });

  it('is the mean top-class probability, per window and per predicted class', () => {
    const e = estimateAccuracy([0, 1, 1, 2], [0.5, 0.75, 0.25, 1], { numClasses: 4 });
    assert.equal(e.n, 4);
    assert.equal(e.estimated, (0.5 + 0.75 + 0.25 + 1) / 4);
    assert.deepEqual(
      e.perClass.map((c) => [c.class, c.n, c.estimated]),
      [
        [0, 1, 0.5],
        [1, 2, 0.5],
        [2, 1, 1],
      ],
      'class 3 was never predicted and is left out',
    );
    // Σp(1−p) = 0.25 + 0.1875 + 0.1875 + 0 = 0.625; half width = z·√0.625/4 + 1/8
    const z = normalQuantileUpper(0.025);
    const half = (z * Math.sqrt(0.625)) / 4 + 1 / 8;
    assert.ok(Math.abs(e.low - Math.max(0, 0.625 - half)) < 1e-12);
    assert.ok(Math.abs(e.high - Math.min(1, 0.625 + half)) < 1e-12);
    assert.equal(e.perClass[2].high, 1, 'clipped to [0, 1]');
    assert.equal(e.level, 0.95);
  });

  it('filled request by request equals the estimate over the concatenated window', () => {
    const w = drawWindow(mulberry32(5), 300, 5);
    const acc = new EstimateAccumulator({ level: 0.9 });
    for (let s = 0; s < 300; s += 37) acc.add(w.predictions.subarray(s, s + 37), w.confidence.subarray(s, s + 37));
    const whole = estimateAccuracy(w.predictions, w.confidence, { level: 0.9 });
    assert.equal(acc.count, 300);
    const r = acc.result();
    assert.ok(Math.abs(r.estimated - whole.estimated) < 1e-12);
    assert.ok(Math.abs(r.low - whole.low) < 1e-12 && Math.abs(r.high - whole.high) < 1e-12);
    assert.equal(r.perClass.length, whole.perClass.length);
  });

  it('an empty window has no estimate and the whole [0, 1] as its interval', () => {
    const e = estimateAccuracy([], []);
    assert.equal(e.n, 0);
    assert.ok(Number.isNaN(e.estimated));
    assert.deepEqual([e.low, e.high], [0, 1]);
    assert.deepEqual(bernoulliSumInterval(0, 0, 0, 2), { low: 0, high: 1 });
  });

  for (const level of [0.95, 0.8]) {
    it(`calibrated windows: the realised accuracy falls in the ${level * 100}% interval at about that rate`, () => {
      const rand = mulberry32(20261207 + level * 100);
      const windows = 1000;
      let covered = 0;
      let err = 0;
      for (let t = 0; t < windows; t++) {
        const w = drawWindow(rand, 400, 7);
        const e = estimateAccuracy(w.predictions, w.confidence, { level, numClasses: 7 });
        const acc = realised(w);
        if (acc >= e.low && acc <= e.high) covered++;
        err += Math.abs(acc - e.estimated);
      }
      const rate = covered / windows;
      // 1000 windows: the coverage itself has a standard error of about 0.7 (0.95) to 1.3 (0.8) points; the
      // continuity correction makes the interval slightly conservative, never much.
      assert.ok(rate >= level - 0.03 && rate <= level + 0.04, `coverage ${rate} at level ${level}`);
      assert.ok(err / windows < 0.025, `mean |realised − estimated| ${err / windows}`);
    });
  }

  it('calibrated windows: each predicted class’s realised precision falls in its interval at about 95%', () => {
    const rand = mulberry32(77);
    const k = 4;
    const covered = new Array(k).fill(0);
    const windows = 600;
    for (let t = 0; t < windows; t++) {
      const w = drawWindow(rand, 400, k);
      const e = estimateAccuracy(w.predictions, w.confidence, { numClasses: k });
      assert.equal(e.perClass.length, k);
      for (const c of e.perClass) {
        const prec = realised(w, c.class);
        if (prec >= c.low && prec <= c.high) covered[c.class]++;
      }
    }
    for (let c = 0; c < k; c++) {
      const rate = covered[c] / windows;
      assert.ok(rate >= 0.92 && rate <= 0.99, `class ${c}: coverage ${rate}`);
    }
  });

  it('over-confident windows (true hit rate p², not p): the interval misses and the estimate is too high', () => {
    const rand = mulberry32(3);
    let covered = 0;
    let bias = 0;
    for (let t = 0; t < 200; t++) {
      const w = drawWindow(rand, 400, 7, (p) => p * p);
      const e = estimateAccuracy(w.predictions, w.confidence);
      const acc = realised(w);
      if (acc >= e.low && acc <= e.high) covered++;
      bias += e.estimated - acc;
    }
    assert.ok(covered / 200 < 0.1, `coverage ${covered / 200} should collapse under miscalibration`);
    assert.ok(bias / 200 > 0.1, `estimate − realised ${bias / 200}`);
  });

  it('bad input: a clear error naming the field and the limit', () => {
    const bad = (f: () => unknown, field: RegExp) =>
      assert.throws(f, (e: Error & { details?: unknown }) => field.test(e.message), String(field));
    bad(() => estimateAccuracy([0, 1], [0.5]), /confidence.*1 values for 2 predictions/);
    bad(() => estimateAccuracy([3], [0.5], { numClasses: 3 }), /predictions\[0\].*class 3 is outside \[0, 2\]/);
    bad(() => estimateAccuracy([-1], [0.5]), /predictions\[0\].*outside/);
    bad(() => estimateAccuracy([0.5], [0.5]), /predictions\[0\]/);
    bad(() => estimateAccuracy([0, 0], [0.5, 1.5]), /confidence\[1\].*1\.5 is not a probability/);
    bad(() => estimateAccuracy([0], [-0.1]), /confidence\[0\]/);
    bad(() => estimateAccuracy([0], [Number.NaN]), /confidence\[0\].*NaN/);
    bad(() => estimateAccuracy([0], [0.5], { level: 1 }), /level.*\(0, 1\)/);
    bad(() => new EstimateAccumulator({ level: 0 }), /level/);
    bad(() => normalQuantileUpper(0), /tail/);
    // float32 storage of a probability of 1 is accepted and read as 1
    const e = estimateAccuracy([0], [1 + 5e-7]);
    assert.equal(e.estimated, 1);
  });
});

describe('estimate per model version and the registry’s facts', () => {
  const row = (version: string, n: number, p: number, temperature?: number | null): EstimateRow => ({
    model: 'cora',
    version,
    predictions: new Int32Array(n),
    confidence: new Float32Array(n).fill(p),
    ...(temperature === undefined ? {} : { temperature }),
  });

  it('groups rows by (model, version), most predictions first, counting rows served raw', () => {
    const out = estimateByVersion([row('1', 2, 0.5, 1), row('2', 5, 0.75, 1.5), row('1', 1, 0.5, 1.5)]);
    assert.deepEqual(
      out.map((e) => [e.version, e.n, e.requests, e.estimated, e.temperatureRecorded, e.servedRaw]),
      [
        ['2', 5, 1, 0.75, 5, 0],
        ['1', 3, 2, 0.5, 3, 2],
      ],
    );
    const legacy = estimateByVersion([row('1', 2, 0.5, null), row('1', 2, 0.5)]);
    assert.equal(legacy[0].temperatureRecorded, 0);
  });

  it('versionFacts reads temperature and test_acc from the registered metrics', () => {
    assert.deepEqual(versionFacts({ temperature: 1.7, test_acc: 0.81 }), { temperature: 1.7, testAccuracy: 0.81 });
    assert.deepEqual(versionFacts({ temperature: 0, test_acc: Number.NaN }), {
      temperature: null,
      testAccuracy: null,
    });
    assert.deepEqual(versionFacts(undefined), { temperature: null, testAccuracy: null });
    assert.equal(
      versionFacts({ test_acc_mean: 0.79 }).testAccuracy,
      0.79,
      'the mean over splits when test_acc is absent',
    );
    assert.equal(versionFacts({ test_acc: 0.8, test_acc_mean: 0.79 }).testAccuracy, 0.8);
  });

  it('withFacts says whether the averaged confidences were calibrated, and warns when not', () => {
    const facts = { temperature: 1.5, testAccuracy: 0.8 };
    const cal = withFacts(estimateByVersion([row('1', 4, 0.8, 1.5)])[0], facts);
    assert.equal(cal.calibration, 'calibrated');
    assert.equal(cal.rawShare, 0);
    assert.equal(cal.testAccuracy, 0.8);
    assert.equal(cal.registeredTemperature, 1.5);
    assert.equal(cal.warning, undefined);

    const raw = withFacts(estimateByVersion([row('1', 4, 0.8, 1)])[0], facts);
    assert.equal(raw.calibration, 'uncalibrated');
    assert.match(raw.warning ?? '', /all predictions were served raw .*T = 1\.500/);

    const mixed = withFacts(estimateByVersion([row('1', 1, 0.8, 1), row('1', 3, 0.8, 1.5)])[0], facts);
    assert.equal(mixed.calibration, 'mixed');
    assert.equal(mixed.rawShare, 0.25);
    assert.match(mixed.warning ?? '', /25\.0% of the predictions were served raw/);

    const unfitted = withFacts(estimateByVersion([row('1', 4, 0.8, 1)])[0], { temperature: null, testAccuracy: 0.8 });
    assert.equal(unfitted.calibration, 'uncalibrated');
    assert.match(unfitted.warning ?? '', /no fitted temperature/);

    const tOne = withFacts(estimateByVersion([row('1', 4, 0.8, 1)])[0], { temperature: 1, testAccuracy: null });
    assert.equal(tOne.calibration, 'calibrated', 'a fitted T = 1 makes raw confidences the calibrated ones');

    const unknown = withFacts(estimateByVersion([row('1', 4, 0.8, null)])[0], facts);
    assert.equal(unknown.calibration, 'unknown');
    assert.equal(unknown.rawShare, null);
    assert.match(unknown.warning ?? '', /4 of 4 predictions were logged without the temperature/);

    const bare = withFacts(estimateByVersion([row('1', 4, 0.8, 1)])[0], undefined);
    assert.equal(bare.calibration, 'unknown');
    assert.match(bare.warning ?? '', /registry does not know this version/);
    assert.equal(withFacts(estimateByVersion([row('1', 4, 0.8, 1.2)])[0], undefined).calibration, 'calibrated');
  });
});

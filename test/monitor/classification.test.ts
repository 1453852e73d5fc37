/**
 * Classification metrics and calibration on hand-made inputs whose answers are worked out by hand in the comments:
 * logits are built as log-probabilities, so softmax gives back exactly the probabilities written down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calibration,
  classificationReport,
  confusionMatrix,
  fitTemperature,
  nll,
  perClassScores,
  type Scored,
  selectRows,
} from '../../src/monitor/classification.js';
import { confusionChartSvg, reliabilityDiagramSvg } from '../../src/monitor/classification-charts.js';

/** Two-class scores whose softmax is [p, 1 − p] for each given p, with the given labels. */
function binary(ps: readonly number[], labels: readonly number[]): Scored {
  const logits = new Float64Array(ps.length * 2);
  ps.forEach((p, i) => {
    logits[2 * i] = Math.log(p);
    logits[2 * i + 1] = Math.log(1 - p);
  });
  return { logits, labels: Int32Array.from(labels), numClasses: 2 };
}

/** A deterministic stream in [0, 1) (LCG), for constructed data sets. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('expected calibration error (15 bins)', () => {
  it('is 0 when every bin’s accuracy equals its confidence', () => {
    // 10 nodes at confidence 0.8 with 8 correct, 4 at 0.5 (bin (7/15, 8/15]) with 2 correct → ECE 0.
    const ps = [...new Array(10).fill(0.8), ...new Array(4).fill(0.5)];
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1];
    const c = calibration(binary(ps, labels));
    assert.ok(Math.abs(c.ece) < 1e-12, `ece ${c.ece}`);
    assert.equal(c.bins.length, 15);
    const b = c.bins.find((x) => x.count === 10);
    assert.ok(b && Math.abs(b.accuracy - 0.8) < 1e-12 && Math.abs(b.confidence - 0.8) < 1e-12);
    assert.ok(b.lo < 0.8 && 0.8 <= b.hi);
  });

  it('is |accuracy − confidence| weighted by bin share on an over-confident case', () => {
    // 4 nodes at 0.95 (bin 15) with 2 correct: gap 0.45; 4 nodes at 0.6 (bin 9) with 3 correct: gap 0.15.
    // ECE = 4/8 · 0.45 + 4/8 · 0.15 = 0.30.
    const ps = [0.95, 0.95, 0.95, 0.95, 0.6, 0.6, 0.6, 0.6];
    const labels = [0, 0, 1, 1, 0, 0, 0, 1];
    const c = calibration(binary(ps, labels));
    assert.ok(Math.abs(c.ece - 0.3) < 1e-12, `ece ${c.ece}`);
    assert.equal(c.bins[14].count, 4);
    assert.equal(c.bins[8].count, 4);
    assert.equal(c.bins[8].accuracy, 0.75);
  });

  it('puts a confidence on a bin edge in the lower bin ((m−1)/M, m/M])', () => {
    // Confidence exactly 0.6 = 9/15 belongs to bin 9 (index 8), not bin 10.
    const c = calibration(binary([0.6], [0]));
    assert.equal(c.bins[8].count, 1);
    assert.equal(c.bins[9].count, 0);
  });

  it('rejects labels outside the classes and mis-sized logits, naming the field', () => {
    assert.throws(() => calibration(binary([0.7], [2])), /labels\[0\]: 2 is not a class in 0\.\.1/);
    assert.throws(
      () => calibration({ logits: [0, 1, 2], labels: [0, 1], numClasses: 2 }),
      /logits: 3 values for 2 labels × 2 classes \(expected 4\)/,
    );
  });
});

describe('per-class precision, recall, F1 and macro-F1', () => {
  it('match the hand computation on a 3-class confusion', () => {
    // rows true, columns predicted:
    //   class 0: [5, 1, 0]  support 6, predicted 5+2+0 = 7 → P 5/7, R 5/6
    //   class 1: [2, 3, 1]  support 6, predicted 1+3+0 = 4 → P 3/4, R 3/6
    //   class 2: [0, 0, 4]  support 4, predicted 0+1+4 = 5 → P 4/5, R 1
    const conf = [
      [5, 1, 0],
      [2, 3, 1],
      [0, 0, 4],
    ];
    const { perClass, macroF1, accuracy } = perClassScores(conf, ['a', 'b', 'c']);
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    const want = [
      [5 / 7, 5 / 6],
      [3 / 4, 1 / 2],
      [4 / 5, 1],
    ];
    want.forEach(([p, r], k) => {
      assert.ok(Math.abs(perClass[k].precision - p) < 1e-12);
      assert.ok(Math.abs(perClass[k].recall - r) < 1e-12);
      assert.ok(Math.abs(perClass[k].f1 - f1(p, r)) < 1e-12);
    });
    assert.deepEqual(
      perClass.map((s) => [s.name, s.support]),
      [
        ['a', 6],
        ['b', 6],
        ['c', 4],
      ],
    );
    // F1: 10/13, 3/5, 8/9 → macro = (10/13 + 3/5 + 8/9) / 3.
    assert.ok(Math.abs(macroF1 - (10 / 13 + 3 / 5 + 8 / 9) / 3) < 1e-12, `macro ${macroF1}`);
    assert.ok(Math.abs(accuracy - 12 / 16) < 1e-12);
  });

  it('leave a class that never occurs out of the macro mean', () => {
    const { perClass, macroF1 } = perClassScores([
      [2, 0, 0],
      [0, 2, 0],
      [0, 0, 0],
    ]);
    assert.equal(perClass[2].f1, 0);
    assert.equal(macroF1, 1);
  });

  it('the confusion matrix counts argmax predictions against labels', () => {
    const s: Scored = {
      logits: [3, 1, 0, /**/ 0, 2, 1, /**/ 0, 5, 1, /**/ 1, 0, 2],
      labels: [0, 1, 2, 2],
      numClasses: 3,
    };
    assert.deepEqual(confusionMatrix(s), [
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    // selectRows picks nodes 1 and 3 of the same arrays.
    assert.deepEqual(confusionMatrix(selectRows(s.logits, s.labels, 3, [1, 3])), [
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });
});

describe('temperature scaling', () => {
  // An over-confident model: true probabilities of its 4-class scores are softmax(z), but it reports 3·z.
  const rand = lcg(7);
  function overconfident(n: number): Scored {
    const c = 4;
    const logits = new Float64Array(n * c);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: c }, () => 2 * (rand() - 0.5) * 2);
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      let u = rand() * sum;
      let y = 0;
      while (y < c - 1 && u > e[y]) u -= e[y++];
      labels[i] = y;
      for (let k = 0; k < c; k++) logits[i * c + k] = 3 * z[k];
    }
    return { logits, labels, numClasses: c };
  }
  const val = overconfident(4000);
  const test = overconfident(4000);

  it('recovers T ≈ 3 and lowers validation NLL, and calibrates held-out nodes', () => {
    const t = fitTemperature(val);
    assert.ok(t > 2.6 && t < 3.4, `T ${t}`);
    assert.ok(nll(val, t) < nll(val) - 0.1, `nll ${nll(val, t)} vs ${nll(val)}`);
    // T is a minimum: a little either side is worse.
    assert.ok(nll(val, t) <= nll(val, t * 1.05) && nll(val, t) <= nll(val, t / 1.05));
    const r = classificationReport(test, val);
    assert.equal(r.temperature, t);
    assert.ok(r.val_nll_calibrated < r.val_nll);
    assert.ok(r.ece_calibrated < r.ece / 2, `ece ${r.ece} → ${r.ece_calibrated}`);
    // Temperature does not change the argmax, so accuracy and the confusion are those of the raw logits.
    assert.deepEqual(r.confusion, confusionMatrix(test));
  });

  it('is deterministic and stays near 1 for a calibrated model', () => {
    const calibrated: Scored = {
      logits: Float64Array.from(val.logits, (v) => v / 3),
      labels: val.labels,
      numClasses: 4,
    };
    const t = fitTemperature(calibrated);
    assert.equal(fitTemperature(calibrated), t);
    assert.ok(t > 0.85 && t < 1.15, `T ${t}`);
  });

  it('the charts are SVG documents naming the classes and both ECEs', () => {
    const r = classificationReport(test, val, { classNames: ['w', 'x', 'y', 'z'] });
    const rel = reliabilityDiagramSvg(r);
    assert.match(rel, /^<svg[\s\S]*<\/svg>\s*$/);
    assert.ok(rel.includes(`ECE ${r.ece.toFixed(3)}`) && rel.includes(`ECE ${r.ece_calibrated.toFixed(3)}`));
    const cm = confusionChartSvg(r);
    assert.match(cm, /^<svg/);
    for (const n of ['w', 'x', 'y', 'z']) assert.ok(cm.includes(`→ ${n}`));
  });
});

/**
 * Label-free accuracy estimate of served traffic, in the spirit of NannyML's confidence-based performance
 * estimation (CBPE): when the served probabilities are calibrated, a prediction of top-class probability p is right
 * with probability p, so the expected accuracy of a window is the mean top-class probability, and the expected
 * precision of a predicted class is the mean top-class probability of the predictions of that class.
 *
 * The interval: the realised accuracy of the window is a sum of independent Bernoulli(p_i) draws over n, with
 * mean p̄ and variance Σ p_i (1 − p_i) / n². It is the normal interval p̄ ± z·σ widened by the continuity
 * correction 1/(2n) (the realised accuracy moves in steps of 1/n) and clipped to [0, 1]. It covers the sampling
 * noise of the window given calibrated confidences; it does not cover miscalibration, and the nodes of one subgraph
 * are not independent, so on real traffic it is a lower bound on the uncertainty.
 */
import { registeredTemperature } from '../registry/calibration.js';
import { dataError } from '../util/errors.js';
import { normalSf } from './stats/gamma.js';

/** What the estimate reads from one request-log row. */
export interface EstimateRow {
  model: string;
  version: string;
  /** Served class per node. */
  predictions: ArrayLike<number>;
  /** Served top-class probability per node. */
  confidence: ArrayLike<number>;
  /** Softmax temperature the server applied (1 = raw); absent in rows of a log that does not record it. */
  temperature?: number | null;
}

export interface Interval {
  low: number;
  high: number;
}

export interface ClassEstimate extends Interval {
  class: number;
  /** Predictions of this class in the window. */
  n: number;
  /** Expected precision of the class: mean top-class probability of its predictions. */
  estimated: number;
}

export interface AccuracyEstimate extends Interval {
  /** Node predictions in the window. */
  n: number;
  /** Expected accuracy: mean top-class probability. */
  estimated: number;
  /** Confidence level of [low, high]. */
  level: number;
  interval: 'normal, continuity-corrected (sum of independent Bernoullis)';
  /** Per predicted class, in class order; classes never predicted are left out. */
  perClass: ClassEstimate[];
}

/** z with P(Z > z) = tail, by bisection on the normal upper tail (monotone, so 60 halvings reach double precision). */
export function normalQuantileUpper(tail: number): number {
  if (!(tail > 0 && tail < 1)) dataError('tail', `must be in (0, 1), got ${tail}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The interval of the mean of independent Bernoulli(p_i): Σp = sum, Σp(1−p) = variance sum, over n draws. */
export function bernoulliSumInterval(sum: number, varSum: number, n: number, z: number): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const mean = sum / n;
  const half = (z * Math.sqrt(varSum)) / n + 1 / (2 * n);
  return { low: Math.max(0, mean - half), high: Math.min(1, mean + half) };
}

export interface EstimateOptions {
  /** Confidence level of the interval (default 0.95). */
  level?: number;
  /** Classes of the model (default: 1 + the largest predicted class). */
  numClasses?: number;
}

/** The estimate over parallel arrays of served classes and top-class probabilities. */
export function estimateAccuracy(
  predictions: ArrayLike<number>,
  confidence: ArrayLike<number>,
  opts: EstimateOptions = {},
): AccuracyEstimate {
  return new EstimateAccumulator(opts).add(predictions, confidence).result();
}

/** Sums for the estimate, filled request by request (the window never has to be concatenated). */
export class EstimateAccumulator {
  private n = 0;
  private sum = 0;
  private varSum = 0;
  private readonly cls: { n: number; sum: number; varSum: number }[] = [];
  private readonly level: number;
  private readonly z: number;

  constructor(private readonly opts: EstimateOptions = {}) {
    this.level = opts.level ?? 0.95;
    if (!(this.level > 0 && this.level < 1)) dataError('level', `must be in (0, 1), got ${this.level}`);
    this.z = normalQuantileUpper((1 - this.level) / 2);
  }

  add(predictions: ArrayLike<number>, confidence: ArrayLike<number>): this {
    if (predictions.length !== confidence.length)
      dataError(
        'confidence',
        `has ${confidence.length} values for ${predictions.length} predictions; one top-class probability per prediction`,
      );
    const k = this.opts.numClasses;
    for (let i = 0; i < predictions.length; i++) {
      const c = predictions[i];
      const p = confidence[i];
      if (!Number.isInteger(c) || c < 0 || (k !== undefined && c >= k))
        dataError(`predictions[${i}]`, `class ${c} is outside [0, ${k === undefined ? '∞' : k - 1}]`);
      // float32 storage can put a probability of 1 a hair above it; anything further off is not a probability
      if (!(p >= 0 && p <= 1 + 1e-6)) dataError(`confidence[${i}]`, `${p} is not a probability in [0, 1]`);
      const q = Math.min(p, 1);
      const v = q * (1 - q);
      this.n++;
      this.sum += q;
      this.varSum += v;
      let s = this.cls[c];
      if (!s) {
        s = { n: 0, sum: 0, varSum: 0 };
        this.cls[c] = s;
      }
      s.n++;
      s.sum += q;
      s.varSum += v;
    }
    return this;
  }

  get count(): number {
    return this.n;
  }

  result(): AccuracyEstimate {
    const perClass: ClassEstimate[] = [];
    this.cls.forEach((s, c) => {
      if (s && s.n > 0)
        perClass.push({
          class: c,
          n: s.n,
          estimated: s.sum / s.n,
          ...bernoulliSumInterval(s.sum, s.varSum, s.n, this.z),
        });
    });
    return {
      n: this.n,
      estimated: this.n > 0 ? this.sum / this.n : Number.NaN,
      ...bernoulliSumInterval(this.sum, this.varSum, this.n, this.z),
      level: this.level,
      interval: 'normal, continuity-corrected (sum of independent Bernoullis)',
      perClass,
    };
  }
}

/** What the registry knows of a served version: the temperature fitted at registration and its test accuracy. */
export interface VersionFacts {
  /** Fitted softmax temperature, or null when the version has none. */
  temperature: number | null;
  testAccuracy: number | null;
}

/**
 * A version's facts from its registered metrics: `temperature`, and `test_acc` (the served split's test accuracy),
 * else `test_acc_mean` (the mean over the training splits) for versions registered without it.
 */
export function versionFacts(metrics: Record<string, number> | undefined): VersionFacts {
  const acc = Number.isFinite(metrics?.test_acc) ? metrics?.test_acc : metrics?.test_acc_mean;
  return {
    temperature: metrics ? registeredTemperature({ metrics }) : null,
    testAccuracy: typeof acc === 'number' && Number.isFinite(acc) ? acc : null,
  };
}

/** How the confidences of a window were served, as far as the log and the registry tell. */
export type Calibration = 'calibrated' | 'uncalibrated' | 'mixed' | 'unknown';

/** The estimate of one (model, version) of a window, before the registry's facts are joined. */
export interface WindowEstimate extends AccuracyEstimate {
  model: string;
  version: string;
  /** Request-log rows of this version in the window. */
  requests: number;
  /** Predictions whose row records the temperature applied, and those of them served raw (T = 1). */
  temperatureRecorded: number;
  servedRaw: number;
}

export interface VersionEstimate extends WindowEstimate {
  calibration: Calibration;
  /** Share of the predictions served with T = 1 (null when the log does not record the temperature). */
  rawShare: number | null;
  registeredTemperature: number | null;
  testAccuracy: number | null;
  /** Why the estimate may be off (uncalibrated confidences, …); absent when there is nothing to say. */
  warning?: string;
  /**
   * Whether the window's served OOD scores stay with the reference's (drift report: see withOodCheck in
   * drift-report.ts); absent when no OOD score was served. False means the inputs moved where the confidences were
   * never calibrated, and the estimate does not follow the accuracy there.
   */
  reliable?: boolean;
}

/** A temperature of 1 within float32 rounding: the row was served raw. */
const isRaw = (t: number) => Math.abs(t - 1) < 1e-6;

/**
 * The estimate of each (model, version) in a window of request-log rows, most predictions first. Computed where the
 * rows are (the drift thread); `withFacts` joins what the registry knows.
 */
export function estimateByVersion(rows: readonly EstimateRow[], opts: EstimateOptions = {}): WindowEstimate[] {
  const groups = new Map<
    string,
    { model: string; version: string; acc: EstimateAccumulator; requests: number; raw: number; recorded: number }
  >();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.version}`;
    let g = groups.get(key);
    if (!g) {
      g = { model: r.model, version: r.version, acc: new EstimateAccumulator(opts), requests: 0, raw: 0, recorded: 0 };
      groups.set(key, g);
    }
    g.acc.add(r.predictions, r.confidence);
    g.requests++;
    const t = r.temperature;
    if (typeof t === 'number' && Number.isFinite(t)) {
      g.recorded += r.predictions.length;
      if (isRaw(t)) g.raw += r.predictions.length;
    }
  }
  return [...groups.values()]
    .map((g) => ({
      model: g.model,
      version: g.version,
      requests: g.requests,
      ...g.acc.result(),
      temperatureRecorded: g.recorded,
      servedRaw: g.raw,
    }))
    .sort((a, b) => b.n - a.n);
}

/**
 * Join a window estimate with its version's registered facts (undefined: the registry does not know the version,
 * e.g. a bare checkpoint) and say whether the confidences it averages were calibrated.
 */
export function withFacts(w: WindowEstimate, facts: VersionFacts | undefined): VersionEstimate {
  const fitted = facts?.temperature ?? null;
  const base = { ...w, registeredTemperature: fitted, testAccuracy: facts?.testAccuracy ?? null };
  const total = w.n;
  if (w.temperatureRecorded < total)
    return {
      ...base,
      calibration: 'unknown',
      rawShare: null,
      warning:
        `${total - w.temperatureRecorded} of ${total} predictions were logged without the temperature applied, so ` +
        'whether they were calibrated is unknown; the estimate assumes they were',
    };
  const rawShare = total > 0 ? w.servedRaw / total : 0;
  if (!facts)
    return {
      ...base,
      calibration: w.servedRaw === 0 ? 'calibrated' : 'unknown',
      rawShare,
      ...(w.servedRaw === 0
        ? {}
        : { warning: 'the registry does not know this version, so whether raw confidences are calibrated is unknown' }),
    };
  // a fitted temperature of 1 makes the raw confidences the calibrated ones
  if (fitted !== null && isRaw(fitted)) return { ...base, calibration: 'calibrated', rawShare };
  if (fitted === null)
    return {
      ...base,
      calibration: 'uncalibrated',
      rawShare,
      warning: 'the version has no fitted temperature: the estimate uses uncalibrated confidences',
    };
  if (w.servedRaw === 0) return { ...base, calibration: 'calibrated', rawShare };
  const all = w.servedRaw === total;
  return {
    ...base,
    calibration: all ? 'uncalibrated' : 'mixed',
    rawShare,
    warning: `${all ? 'all' : `${(rawShare * 100).toFixed(1)}% of the`} predictions were served raw (T = 1) while the version has a fitted temperature T = ${fitted.toPrecision(4)}: the estimate uses uncalibrated confidences`,
  };
}

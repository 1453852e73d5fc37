/**
 * Classification quality and calibration of a node classifier, from its logits on a set of nodes:
 *  - the confusion matrix (rows: true class, columns: predicted class) and per-class precision/recall/F1, with
 *    macro-F1 as their unweighted mean over the classes that occur in the labels or the predictions (a class that
 *    never occurs has no defined scores and would only pull the mean towards 0);
 *  - expected calibration error as Guo et al. 2017 ("On Calibration of Modern Neural Networks", eq. 3) define it:
 *    confidences (the top softmax probability) fall into M equal-width bins ((m−1)/M, m/M], and
 *    ECE = Σ_m |B_m|/n · |acc(B_m) − conf(B_m)|; the bins are the reliability diagram;
 *  - temperature scaling (same paper, §4.2): one scalar T > 0 that minimises the negative log-likelihood of
 *    softmax(z/T) on held-out nodes. NLL is convex in 1/T (a log-sum-exp of linear functions minus a linear one), so
 *    it is unimodal in log T and a golden-section search on log T finds the minimum deterministically.
 * Pure arithmetic in float64 over row-major n × C arrays; the monitor floor owns it so serving-side estimates and
 * training share one definition.
 */
import { softmaxRows } from '../engine/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** Guo et al. use 15 bins. */
export const ECE_BINS = 15;

export interface ClassScore {
  class: number;
  /** The class name when the graph has them. */
  name?: string;
  precision: number;
  recall: number;
  f1: number;
  /** Nodes of this class among the evaluated ones. */
  support: number;
}

export interface ReliabilityBin {
  /** The bin covers (lo, hi]; the first bin also holds confidence 0. */
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class probability of the bin's nodes (0 when empty). */
  confidence: number;
  /** Share of the bin's nodes predicted correctly (0 when empty). */
  accuracy: number;
}

export interface Calibration {
  ece: number;
  bins: ReliabilityBin[];
}

/** Logits (or any scores whose softmax is the model's probabilities) of n nodes over C classes, and their labels. */
export interface Scored {
  logits: ArrayLike<number>;
  labels: ArrayLike<number>;
  numClasses: number;
}

function check(s: Scored): number {
  const c = s.numClasses;
  if (!(Number.isInteger(c) && c >= 1))
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `numClasses: ${c} is not a positive integer`);
  const n = s.labels.length;
  if (s.logits.length !== n * c) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `logits: ${s.logits.length} values for ${n} labels × ${c} classes (expected ${n * c})`,
      { field: 'logits', limit: n * c },
    );
  }
  for (let i = 0; i < n; i++) {
    const y = s.labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < c)) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `labels[${i}]: ${y} is not a class in 0..${c - 1}`, {
        field: 'labels',
        index: i,
        limit: c,
      });
    }
  }
  return n;
}

/** The rows `rows` of a row-major n × C array and of the labels, for one mask. */
export function selectRows(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  rows: ArrayLike<number>,
): Scored {
  const out = new Float64Array(rows.length * numClasses);
  const ys = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    for (let k = 0; k < numClasses; k++) out[r * numClasses + k] = logits[i * numClasses + k];
    ys[r] = labels[i];
  }
  return { logits: out, labels: ys, numClasses };
}

/** Row-wise softmax of logits / temperature (float64). */
export function softmaxWithTemperature(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float64Array {
  const n = Math.floor(logits.length / numClasses);
  const scaled = temperature === 1 ? logits : Float64Array.from(logits, (v) => v / temperature);
  return softmaxRows(scaled, n, numClasses, new Float64Array(n * numClasses));
}

/** Index of the largest value of row i (first on ties). */
function argmaxRow(v: ArrayLike<number>, i: number, c: number): number {
  let best = 0;
  for (let k = 1; k < c; k++) if (v[i * c + k] > v[i * c + best]) best = k;
  return best;
}

/** C × C counts: confusion[t][p] = nodes of true class t predicted as p. */
export function confusionMatrix(s: Scored): number[][] {
  const n = check(s);
  const c = s.numClasses;
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < n; i++) m[s.labels[i]][argmaxRow(s.logits, i, c)]++;
  return m;
}

/**
 * Per-class precision, recall and F1 from a confusion matrix; a ratio with a zero denominator is 0 (as sklearn's
 * zero_division=0), and macro-F1 averages the classes with support or predictions.
 */
export function perClassScores(
  confusion: readonly (readonly number[])[],
  classNames?: readonly string[],
): { perClass: ClassScore[]; macroF1: number; accuracy: number } {
  const c = confusion.length;
  let correct = 0;
  let total = 0;
  const perClass: ClassScore[] = [];
  let f1Sum = 0;
  let present = 0;
  for (let k = 0; k < c; k++) {
    if (confusion[k].length !== c)
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `confusion[${k}]: ${confusion[k].length} columns, not ${c}`);
    const tp = confusion[k][k];
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < c; j++) {
      support += confusion[k][j];
      predicted += confusion[j][k];
    }
    correct += tp;
    total += support;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      present++;
    }
    perClass.push({
      class: k,
      ...(classNames?.[k] !== undefined ? { name: classNames[k] } : {}),
      precision,
      recall,
      f1,
      support,
    });
  }
  return { perClass, macroF1: present > 0 ? f1Sum / present : 0, accuracy: total > 0 ? correct / total : 0 };
}

/** ECE and the reliability bins of softmax(logits / temperature). */
export function calibration(s: Scored, temperature = 1, bins = ECE_BINS): Calibration {
  const n = check(s);
  if (!(Number.isInteger(bins) && bins >= 1))
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `bins: ${bins} is not a positive integer`, { field: 'bins' });
  const c = s.numClasses;
  const p = softmaxWithTemperature(s.logits, c, temperature);
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hit = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const k = argmaxRow(p, i, c);
    const top = p[i * c + k];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(top * bins) - 1));
    count[b]++;
    conf[b] += top;
    if (k === s.labels[i]) hit[b]++;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const nb = count[b];
    const cb = nb > 0 ? conf[b] / nb : 0;
    const ab = nb > 0 ? hit[b] / nb : 0;
    if (n > 0) ece += (nb / n) * Math.abs(ab - cb);
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: nb, confidence: cb, accuracy: ab });
  }
  return { ece, bins: out };
}

/** Mean negative log-likelihood of the labels under softmax(logits / temperature). */
export function nll(s: Scored, temperature = 1): number {
  const n = check(s);
  const c = s.numClasses;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let mx = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) mx = Math.max(mx, s.logits[i * c + k] / temperature);
    let z = 0;
    for (let k = 0; k < c; k++) z += Math.exp(s.logits[i * c + k] / temperature - mx);
    sum += mx + Math.log(z) - s.logits[i * c + s.labels[i]] / temperature;
  }
  return n > 0 ? sum / n : 0;
}

/** The search range of T: wide enough for any trained network (Guo et al. report T between ~1 and ~3). */
export const TEMPERATURE_RANGE = Object.freeze({ min: 0.01, max: 100 });

/**
 * The temperature that minimises validation NLL: golden-section search on log T over TEMPERATURE_RANGE to a
 * relative width of 1e-6 (the same T for the same inputs, every time).
 */
export function fitTemperature(val: Scored): number {
  const n = check(val);
  if (n === 0) return 1;
  const f = (u: number) => nll(val, Math.exp(u));
  const g = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(TEMPERATURE_RANGE.min);
  let b = Math.log(TEMPERATURE_RANGE.max);
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > 1e-6) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  return Math.exp((a + b) / 2);
}

/** Everything `evaluate` and a training run report about one evaluated mask, calibrated on another. */
export interface ClassificationReport {
  accuracy: number;
  macro_f1: number;
  per_class: ClassScore[];
  confusion: number[][];
  ece: number;
  ece_calibrated: number;
  temperature: number;
  /** Validation NLL before and after temperature scaling. */
  val_nll: number;
  val_nll_calibrated: number;
  reliability: ReliabilityBin[];
  reliability_calibrated: ReliabilityBin[];
}

/**
 * The report on `test`, with the temperature fitted on `val` (or the given one, e.g. a registered version's: then
 * `val` only supplies the NLL figures).
 */
export function classificationReport(
  test: Scored,
  val: Scored,
  o: { temperature?: number; classNames?: readonly string[]; bins?: number } = {},
): ClassificationReport {
  const confusion = confusionMatrix(test);
  const scores = perClassScores(confusion, o.classNames);
  const temperature = o.temperature ?? fitTemperature(val);
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `temperature: ${temperature} is not a positive number`, {
      field: 'temperature',
    });
  const raw = calibration(test, 1, o.bins);
  const cal = calibration(test, temperature, o.bins);
  return {
    accuracy: scores.accuracy,
    macro_f1: scores.macroF1,
    per_class: scores.perClass,
    confusion,
    ece: raw.ece,
    ece_calibrated: cal.ece,
    temperature,
    val_nll: nll(val),
    val_nll_calibrated: nll(val, temperature),
    reliability: raw.bins,
    reliability_calibrated: cal.bins,
  };
}

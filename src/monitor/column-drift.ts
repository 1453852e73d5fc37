/**
 * Per-column drift tests against a reference sketch, with Evidently's default choice of test.
 *
 * Evidently's defaults (evidently `calculations/stattests/registry.py::_get_default_stattest` and its docs,
 * "Automatic Stattest Selection", https://github.com/evidentlyai/evidently/releases/tag/v0.1.50.dev0):
 * - reference ≤ 1000 rows: numeric with > 5 distinct values (reference ∪ current) → two-sample KS, drift at p < 0.05;
 *   categorical, or numeric with ≤ 5 values → chi-square p < 0.05, or the two-proportion z-test p < 0.05 when ≤ 2 values;
 * - reference > 1000 rows: numeric with > 5 values → Wasserstein distance / max(std_ref, 0.001), drift at ≥ 0.1;
 *   categorical, or numeric with ≤ 5 values → Jensen–Shannon distance, drift at ≥ 0.1;
 * - PSI (drift at ≥ 0.1) on request. Binning for PSI/JS (`utils.py::get_binned_data`): numeric columns with > 20
 *   distinct reference values use equal-width bins over the combined range (here `psiBins`, default 30, the
 *   `n_bins` default of Evidently's psi); otherwise one bin per value. Empty bins are filled as fillZeroes.
 * Evidently binned with np.histogram_bin_edges(bins=n) up to 0.4.x and with bins='sturges' later; we keep n = 30
 * as the issue specifies.
 */
import { compareSketch, equalWidthEdges, type NumericSketch, sketchBinShares, sortedBinShares } from './sketch.js';
import { chiSquareDrift } from './stats/chi-square.js';
import { fillZeroes, jensenShannonDistance, populationStabilityIndex } from './stats/divergence.js';
import { type KsMethod, ksPValue } from './stats/ks.js';
import { normalisedWasserstein } from './stats/wasserstein.js';
import { proportionZTest } from './stats/z-test.js';

export type StatTestName = 'ks' | 'wasserstein' | 'psi' | 'jensenshannon' | 'chisquare' | 'z';

/** How a test's score is compared with its threshold. */
export const TEST_INFO: Readonly<Record<StatTestName, { label: string; threshold: number; pValue: boolean }>> =
  Object.freeze({
    ks: { label: 'K-S p-value', threshold: 0.05, pValue: true },
    wasserstein: { label: 'Wasserstein distance (normed)', threshold: 0.1, pValue: false },
    psi: { label: 'PSI', threshold: 0.1, pValue: false },
    jensenshannon: { label: 'Jensen-Shannon distance', threshold: 0.1, pValue: false },
    chisquare: { label: 'chi-square p-value', threshold: 0.05, pValue: true },
    z: { label: 'Z-test p-value', threshold: 0.05, pValue: true },
  });

/** 'auto' = Evidently's defaults; a test name forces it on every numeric column it applies to. */
export type NumericMethod = 'auto' | 'ks' | 'wasserstein' | 'psi' | 'jensenshannon';

export interface ColumnTestOptions {
  method?: NumericMethod;
  /** Overrides the chosen test's default threshold. */
  threshold?: number;
  ksMethod?: KsMethod;
  psiBins?: number;
}

export interface ColumnDrift {
  test: StatTestName;
  score: number;
  threshold: number;
  drifted: boolean;
  /** Extra figures: KS D and normalised Wasserstein for numeric columns, the chi-square statistic ... */
  stats: Record<string, number>;
}

function decide(test: StatTestName, score: number, threshold: number | undefined): ColumnDrift {
  const info = TEST_INFO[test];
  const t = threshold ?? info.threshold;
  const drifted = info.pValue ? score < t : score >= t;
  return { test, score, threshold: t, drifted, stats: {} };
}

/** Distinct values of a sorted array with their counts. */
function runLengths(sorted: ArrayLike<number>): { values: number[]; counts: number[] } {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      values.push(sorted[i]);
      counts.push(1);
    } else counts[counts.length - 1]++;
  }
  return { values, counts };
}

/** Reference and current counts over the union of values (reference sketch must be 'exact'). */
function alignedCounts(ref: NumericSketch, cur: ArrayLike<number>): { refCounts: number[]; curCounts: number[] } {
  const c = runLengths(cur);
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ref.x.length || j < c.values.length) {
    const rv = i < ref.x.length ? ref.x[i] : Number.POSITIVE_INFINITY;
    const cv = j < c.values.length ? c.values[j] : Number.POSITIVE_INFINITY;
    if (rv <= cv) {
      refCounts.push(Math.round((ref.F[i] - (i > 0 ? ref.F[i - 1] : 0)) * ref.n));
      i++;
    } else refCounts.push(0);
    if (cv <= rv) {
      curCounts.push(c.counts[j]);
      j++;
    } else curCounts.push(0);
  }
  return { refCounts, curCounts };
}

/** Distinct values of reference ∪ current, counted up to `cap` (Evidently's n_unique of the concatenation). */
function unionDistinct(ref: NumericSketch, cur: ArrayLike<number>, cap: number): number {
  if (ref.kind === 'quantile' || ref.distinct > cap) return ref.distinct;
  return alignedCounts(ref, cur).refCounts.length;
}

function binnedShares(ref: NumericSketch, cur: ArrayLike<number>, bins: number): { r: Float64Array; c: Float64Array } {
  if (ref.kind === 'exact' && ref.distinct <= 20) {
    const { refCounts, curCounts } = alignedCounts(ref, cur);
    return {
      r: Float64Array.from(refCounts, (v) => v / ref.n),
      c: Float64Array.from(curCounts, (v) => v / cur.length),
    };
  }
  const lo = Math.min(ref.min, cur[0]);
  const hi = Math.max(ref.max, cur[cur.length - 1]);
  const edges = equalWidthEdges(lo, hi, bins);
  return { r: sketchBinShares(ref, edges), c: sortedBinShares(cur, edges) };
}

/**
 * Test one numeric column: `ref` is the reference sketch, `cur` the current values sorted ascending (finite).
 * KS D and the normalised Wasserstein are always reported in `stats`; `score` is the chosen test's.
 */
export function numericColumnDrift(
  ref: NumericSketch,
  cur: ArrayLike<number>,
  opts: ColumnTestOptions = {},
): ColumnDrift {
  const m = cur.length;
  if (m === 0) return { ...decide('wasserstein', Number.NaN, opts.threshold), drifted: false };
  const cmp = compareSketch(ref, cur);
  const wn = normalisedWasserstein(cmp.w1, ref.std);
  const method = opts.method ?? 'auto';
  let test: StatTestName;
  if (method !== 'auto') test = method;
  else {
    const nValues = unionDistinct(ref, cur, 5);
    if (ref.n <= 1000) test = nValues > 5 ? 'ks' : nValues > 2 ? 'chisquare' : 'z';
    else test = nValues > 5 ? 'wasserstein' : 'jensenshannon';
  }
  let result: ColumnDrift;
  const stats: Record<string, number> = { ks_d: cmp.ks, wasserstein_norm: wn };
  switch (test) {
    case 'ks':
      result = decide('ks', ksPValue(cmp.ks, ref.n, m, opts.ksMethod ?? 'auto'), opts.threshold);
      break;
    case 'wasserstein':
      result = decide('wasserstein', wn, opts.threshold);
      break;
    case 'psi':
    case 'jensenshannon': {
      const { r, c } = binnedShares(ref, cur, opts.psiBins ?? 30);
      const rf = fillZeroes(r);
      const cf = fillZeroes(c);
      const score = test === 'psi' ? populationStabilityIndex(rf, cf) : jensenShannonDistance(rf, cf);
      result = decide(test, score, opts.threshold);
      break;
    }
    case 'chisquare': {
      const { refCounts, curCounts } = alignedCounts(ref, cur);
      const chi = chiSquareDrift(refCounts, curCounts);
      result = decide('chisquare', chi.pValue, opts.threshold);
      stats.chi2 = chi.statistic;
      break;
    }
    case 'z': {
      const { refCounts, curCounts } = alignedCounts(ref, cur);
      const zt = proportionZTest(refCounts[0], ref.n, curCounts[0], m);
      result = decide('z', zt.pValue, opts.threshold);
      stats.z = zt.z;
      break;
    }
  }
  result.stats = stats;
  return result;
}

export interface CategoricalTestOptions {
  method?: 'auto' | 'chisquare' | 'jensenshannon' | 'psi';
  threshold?: number;
}

/**
 * Test one categorical column from counts per category (same index = same category; reference and current of
 * equal length). Jensen–Shannon distance is always reported in `stats.js` (it feeds the prediction-drift gauge).
 */
export function categoricalColumnDrift(
  refCounts: ArrayLike<number>,
  curCounts: ArrayLike<number>,
  opts: CategoricalTestOptions = {},
): ColumnDrift {
  let nRef = 0;
  let nCur = 0;
  let nValues = 0;
  for (let i = 0; i < refCounts.length; i++) {
    nRef += refCounts[i];
    nCur += curCounts[i];
    if (refCounts[i] > 0 || curCounts[i] > 0) nValues++;
  }
  if (nCur === 0) return { ...decide('jensenshannon', Number.NaN, opts.threshold), drifted: false };
  const keep = (i: number) => refCounts[i] > 0 || curCounts[i] > 0;
  const idx = Array.from({ length: refCounts.length }, (_, i) => i).filter(keep);
  const r = fillZeroes(idx.map((i) => refCounts[i] / nRef));
  const c = fillZeroes(idx.map((i) => curCounts[i] / nCur));
  const js = jensenShannonDistance(r, c);
  const method = opts.method ?? 'auto';
  const test: StatTestName =
    method !== 'auto' ? method : nRef <= 1000 ? (nValues > 2 ? 'chisquare' : 'z') : 'jensenshannon';
  let result: ColumnDrift;
  const stats: Record<string, number> = { js };
  if (test === 'chisquare') {
    const chi = chiSquareDrift(refCounts, curCounts);
    result = decide('chisquare', chi.pValue, opts.threshold);
    stats.chi2 = chi.statistic;
  } else if (test === 'z') {
    const first = idx[0];
    const zt = proportionZTest(refCounts[first], nRef, curCounts[first], nCur);
    result = decide('z', zt.pValue, opts.threshold);
    stats.z = zt.z;
  } else if (test === 'psi') result = decide('psi', populationStabilityIndex(r, c), opts.threshold);
  else result = decide('jensenshannon', js, opts.threshold);
  result.stats = stats;
  return result;
}

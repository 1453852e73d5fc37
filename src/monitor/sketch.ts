/**
 * A numeric column summarised once so that drift tests never need the raw reference again.
 *
 * Two kinds, chosen per column by its number of distinct values:
 * - 'exact' (≤ maxKnots distinct values, e.g. every reference of ≤ 1000 rows, degrees, small integer codes): the
 *   distinct sorted values and their cumulative shares. This IS the empirical distribution: every test is exact.
 * - 'quantile' (more distinct values): Q + 1 quantiles at p = k/Q (numpy's default 'linear' rule). The reference
 *   CDF is taken as the piecewise-linear curve through (q_k, k/Q). Against the raw empirical CDF this is off by
 *   at most 1/Q in probability (KS) and, for Wasserstein, by about range/(Q·n) plus the within-knot curvature;
 *   measured on WikiCS-shaped data in test/monitor/sketch.test.ts and BENCHMARKS.md.
 */

export type SketchKind = 'exact' | 'quantile';

export interface NumericSketch {
  kind: SketchKind;
  /** Reference rows. */
  n: number;
  mean: number;
  /** Population standard deviation (ddof = 0), as numpy.std. */
  std: number;
  min: number;
  max: number;
  /** Distinct values in the reference. */
  distinct: number;
  /** Knot positions, ascending (distinct values for 'exact', quantiles for 'quantile', possibly tied). */
  x: Float64Array;
  /** CDF at each knot, right-continuous value: cumulative share (exact) or k/Q (quantile). Last is 1. */
  F: Float64Array;
}

/** Default quantile resolution: 1001 knots. */
export const DEFAULT_QUANTILES = 1000;

/** Summarise a column given its values sorted ascending (NaNs removed by the caller). */
export function buildSketch(sorted: ArrayLike<number>, quantiles = DEFAULT_QUANTILES): NumericSketch {
  const n = sorted.length;
  let sum = 0;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i];
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) * (sorted[i] - mean);
  const base = {
    n,
    mean,
    std: n > 0 ? Math.sqrt(ss / n) : Number.NaN,
    min: n > 0 ? sorted[0] : Number.NaN,
    max: n > 0 ? sorted[n - 1] : Number.NaN,
    distinct,
  };
  if (distinct <= quantiles + 1) {
    const x = new Float64Array(distinct);
    const F = new Float64Array(distinct);
    let k = -1;
    for (let i = 0; i < n; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) x[++k] = sorted[i];
      F[k] = (i + 1) / n;
    }
    return { kind: 'exact', ...base, x, F };
  }
  const x = new Float64Array(quantiles + 1);
  const F = new Float64Array(quantiles + 1);
  for (let k = 0; k <= quantiles; k++) {
    const h = ((n - 1) * k) / quantiles;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    x[k] = sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    F[k] = k / quantiles;
  }
  return { kind: 'quantile', ...base, x, F };
}

/** First index i with x[i] ≥ v (x ascending). */
function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reference CDF just left of v, F(v−) = P(X < v). */
export function sketchCdfLeft(s: NumericSketch, v: number): number {
  const i = lowerBound(s.x, v);
  if (i === 0) return 0;
  if (i === s.x.length) return 1;
  if (s.kind === 'exact') return s.F[i - 1];
  const x0 = s.x[i - 1];
  const x1 = s.x[i];
  return s.F[i - 1] + ((v - x0) / (x1 - x0)) * (s.F[i] - s.F[i - 1]);
}

/** Reference CDF at v (right-continuous), F(v) = P(X ≤ v). */
export function sketchCdf(s: NumericSketch, v: number): number {
  let i = lowerBound(s.x, v);
  if (i < s.x.length && s.x[i] === v) {
    while (i + 1 < s.x.length && s.x[i + 1] === v) i++;
    return s.F[i];
  }
  return sketchCdfLeft(s, v);
}

export interface SketchComparison {
  /** sup |F_ref − F_cur|. */
  ks: number;
  /** ∫ |F_ref − F_cur| dx (Wasserstein-1). */
  w1: number;
}

/** ∫₀ʷ |a + (b − a)t/w| dt for a line from a to b over width w, split where it crosses zero. */
function absLineIntegral(a: number, b: number, w: number): number {
  if (w <= 0) return 0;
  if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) return 0.5 * (Math.abs(a) + Math.abs(b)) * w;
  const t = Math.abs(a) / (Math.abs(a) + Math.abs(b));
  return 0.5 * (Math.abs(a) * t + Math.abs(b) * (1 - t)) * w;
}

/**
 * KS statistic and Wasserstein-1 between the reference sketch and a sorted current sample, in one merge over
 * the union of knots and current values. Between consecutive breakpoints the current CDF is constant and the
 * reference CDF linear (constant for 'exact'), so |F_ref − F_cur| is integrated exactly and its sup sits at a
 * breakpoint's left or right limit.
 */
export function compareSketch(s: NumericSketch, cur: ArrayLike<number>): SketchComparison {
  const m = cur.length;
  const K = s.x.length;
  const linear = s.kind === 'quantile';
  let kr = 0;
  let jc = 0;
  let ks = 0;
  let w1 = 0;
  let prevX = Number.NaN;
  let prevDiff = 0; // F_ref(prevX) − F_cur(prevX), right limits
  while (kr < K || jc < m) {
    const b = jc >= m || (kr < K && s.x[kr] <= cur[jc]) ? s.x[kr] : cur[jc];
    // Reference CDF at b: left and right limits.
    let frL: number;
    let frR: number;
    if (kr < K && s.x[kr] === b) {
      // The linear CDF arrives at a knot continuously; the step CDF jumps there.
      frL = linear ? s.F[kr] : kr > 0 ? s.F[kr - 1] : 0;
      while (kr < K && s.x[kr] === b) kr++;
      frR = s.F[kr - 1];
    } else if (kr === 0) {
      frL = frR = 0;
    } else if (kr === K) {
      frL = frR = 1;
    } else if (linear) {
      const x0 = s.x[kr - 1];
      frL = frR = s.F[kr - 1] + ((b - x0) / (s.x[kr] - x0)) * (s.F[kr] - s.F[kr - 1]);
    } else {
      frL = frR = s.F[kr - 1];
    }
    const fcL = jc / m;
    while (jc < m && cur[jc] === b) jc++;
    const fcR = jc / m;
    const diffL = frL - fcL;
    const diffR = frR - fcR;
    if (!Number.isNaN(prevX)) w1 += absLineIntegral(prevDiff, diffL, b - prevX);
    const a = Math.max(Math.abs(diffL), Math.abs(diffR));
    if (a > ks) ks = a;
    prevX = b;
    prevDiff = diffR;
  }
  return { ks, w1 };
}

/**
 * Shares of the reference in bins with numpy.histogram's convention: [e_i, e_{i+1}) for all but the last bin,
 * which is closed. `edges` ascending, length bins + 1.
 */
export function sketchBinShares(s: NumericSketch, edges: ArrayLike<number>): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  let prev = sketchCdfLeft(s, edges[0]);
  for (let i = 0; i < bins; i++) {
    const next = i === bins - 1 ? sketchCdf(s, edges[bins]) : sketchCdfLeft(s, edges[i + 1]);
    out[i] = Math.max(0, next - prev);
    prev = next;
  }
  return out;
}

/** Shares of a sorted sample in the same bins (numpy.histogram convention). */
export function sortedBinShares(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  const n = sorted.length;
  let i = lowerBound(sorted, edges[0]);
  for (let b = 0; b < bins; b++) {
    const last = b === bins - 1;
    const hi = edges[b + 1];
    let c = 0;
    while (i < n && (sorted[i] < hi || (last && sorted[i] === hi))) {
      c++;
      i++;
    }
    out[b] = c / n;
  }
  return out;
}

/** numpy.linspace(lo, hi, bins + 1); a degenerate range is widened by ±0.5 as numpy.histogram_bin_edges does. */
export function equalWidthEdges(lo: number, hi: number, bins: number): Float64Array {
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const e = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) e[i] = lo + ((hi - lo) * i) / bins;
  e[bins] = hi;
  return e;
}

/** Reference quantile at probability p ∈ [0, 1]: the inverse of the sketch's CDF. */
export function sketchQuantile(s: NumericSketch, p: number): number {
  if (s.kind === 'exact') {
    const target = p * (1 - 1e-12);
    let i = lowerBound(s.F, target);
    if (i >= s.x.length) i = s.x.length - 1;
    return s.x[i];
  }
  const Q = s.x.length - 1;
  const h = Math.min(Q, Math.max(0, p * Q));
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, Q);
  return s.x[lo] + (h - lo) * (s.x[hi] - s.x[lo]);
}

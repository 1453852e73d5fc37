/**
 * The drift report: a current window of served inputs against a reference profile.
 *
 * - Feature drift: one test per feature column (Evidently's defaults, see column-drift.ts); the dataset drifts
 *   when the share of drifted columns is ≥ shareThreshold (default 0.5, Evidently's `drift_share`).
 * - Prediction drift: the class distribution of served predictions against the reference predictions.
 * - Graph-structure drift: degree and subgraph-size distributions of the requests against the reference graph.
 * Cost: one sort per current column plus an O(knots + rows) merge; ~0.2 s for 300 × 5,000 (BENCHMARKS.md).
 */
import { dataError } from '../util/errors.js';
import {
  type CategoricalTestOptions,
  type ColumnDrift,
  type ColumnTestOptions,
  categoricalColumnDrift,
  type NumericMethod,
  numericColumnDrift,
} from './column-drift.js';
import { type EstimateRow, estimateByVersion, type VersionEstimate, type VersionFacts, withFacts } from './estimate.js';
import { featureName, type ReferenceProfile, sortedColumn } from './profile.js';
import { equalWidthEdges, type NumericSketch, sketchBinShares, sketchQuantile, sortedBinShares } from './sketch.js';
import type { KsMethod } from './stats/ks.js';

/** A window of current (served) data. `features` is row-major rows × cols. */
export interface CurrentWindow {
  features: Float32Array;
  rows: number;
  cols: number;
  /** Served predicted class per row (or per request). */
  predictions?: ArrayLike<number>;
  /** Nodes in the subgraph each request carried. */
  subgraphSizes?: ArrayLike<number>;
  /** Degree of each requested node. */
  degrees?: ArrayLike<number>;
}

export interface DriftReportOptions {
  /** Numeric test: 'auto' (Evidently's defaults) or one test for every feature. */
  method?: NumericMethod;
  /** Override the chosen test's threshold (p-value for KS/chi-square, distance otherwise). */
  threshold?: number;
  /** Dataset drift when the share of drifted features is ≥ this (default 0.5). */
  shareThreshold?: number;
  ksMethod?: KsMethod;
  /** Bins for PSI and numeric Jensen–Shannon (default 30). */
  psiBins?: number;
  /** Bins of the reference-vs-current histograms kept for display (default 20; 0 = none). */
  histBins?: number;
  /** Test for prediction drift (default 'auto': chi-square for ≤ 1000 reference rows, else Jensen–Shannon). */
  predictionMethod?: CategoricalTestOptions['method'];
}

/** Shares of reference and current in common bins, for the small histograms. */
export interface HistogramPair {
  edges: number[];
  ref: number[];
  cur: number[];
}

export interface NumericColumnReport extends ColumnDrift {
  name: string;
  refMean: number;
  refStd: number;
  curMean: number;
  curStd: number;
  curN: number;
  hist?: HistogramPair;
}

export interface FeatureReport extends NumericColumnReport {
  index: number;
}

export interface PredictionReport extends ColumnDrift {
  numClasses: number;
  refN: number;
  curN: number;
  refShares: number[];
  curShares: number[];
}

export interface DriftReport {
  kind: 'gnnops.drift-report';
  generatedAt: string;
  reference: { rows: number; cols: number; createdAt: string; meta: Record<string, unknown> };
  current: { rows: number };
  options: {
    method: NumericMethod;
    shareThreshold: number;
    psiBins: number;
    ksMethod: KsMethod;
    threshold?: number;
  };
  dataset: { drifted: boolean; share: number; driftedFeatures: number; numFeatures: number; shareThreshold: number };
  /** In column order. */
  features: FeatureReport[];
  predictions?: PredictionReport;
  structure: { degrees?: NumericColumnReport; subgraphSizes?: NumericColumnReport };
  /** Label-free accuracy estimate per served model version (request-log windows only: files carry no confidences). */
  accuracyEstimate?: VersionEstimate[];
  durationMs: number;
}

function meanStd(sorted: ArrayLike<number>): { mean: number; std: number } {
  const n = sorted.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += sorted[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) * (sorted[i] - mean);
  return { mean, std: Math.sqrt(ss / n) };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** Histograms over the central 99% of reference ∪ current, so one outlier does not flatten the picture. */
function histogramPair(ref: NumericSketch, cur: ArrayLike<number>, bins: number): HistogramPair {
  const m = cur.length;
  const lo = Math.min(sketchQuantile(ref, 0.005), cur[Math.floor(0.005 * (m - 1))]);
  const hi = Math.max(sketchQuantile(ref, 0.995), cur[Math.ceil(0.995 * (m - 1))]);
  const edges = equalWidthEdges(lo, hi, bins);
  return {
    edges: Array.from(edges, round),
    ref: Array.from(sketchBinShares(ref, edges), round),
    cur: Array.from(sortedBinShares(cur, edges), round),
  };
}

function numericReport(
  name: string,
  ref: NumericSketch,
  sortedCur: ArrayLike<number>,
  testOpts: ColumnTestOptions,
  histBins: number,
): NumericColumnReport {
  const drift = numericColumnDrift(ref, sortedCur, testOpts);
  const { mean, std } = sortedCur.length > 0 ? meanStd(sortedCur) : { mean: Number.NaN, std: Number.NaN };
  const out: NumericColumnReport = {
    name,
    ...drift,
    refMean: ref.mean,
    refStd: ref.std,
    curMean: mean,
    curStd: std,
    curN: sortedCur.length,
  };
  if (histBins > 0 && sortedCur.length > 0) out.hist = histogramPair(ref, sortedCur, histBins);
  return out;
}

function sortedFinite(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort();
}

/** Compare a current window with the reference profile. */
export function driftReport(
  profile: ReferenceProfile,
  current: CurrentWindow,
  opts: DriftReportOptions = {},
): DriftReport {
  const t0 = performance.now();
  if (current.cols !== profile.cols)
    dataError('current.cols', `window has ${current.cols} feature columns, the reference profile ${profile.cols}`);
  if (current.features.length !== current.rows * current.cols)
    dataError(
      'current.features',
      `length ${current.features.length} is not rows × cols = ${current.rows} × ${current.cols}`,
    );
  const shareThreshold = opts.shareThreshold ?? 0.5;
  if (!(shareThreshold > 0 && shareThreshold <= 1))
    dataError('shareThreshold', `must be in (0, 1], got ${shareThreshold}`);
  const histBins = opts.histBins ?? 20;
  const testOpts: ColumnTestOptions = {
    method: opts.method ?? 'auto',
    threshold: opts.threshold,
    ksMethod: opts.ksMethod ?? 'auto',
    psiBins: opts.psiBins ?? 30,
  };
  const features: FeatureReport[] = [];
  let drifted = 0;
  for (let c = 0; c < profile.cols; c++) {
    const cur = sortedColumn(current.features, current.rows, current.cols, c);
    const r = numericReport(featureName(profile, c), profile.features[c], cur, testOpts, histBins);
    if (r.drifted) drifted++;
    features.push({ index: c, ...r });
  }
  const share = profile.cols > 0 ? drifted / profile.cols : 0;
  const report: DriftReport = {
    kind: 'gnnops.drift-report',
    generatedAt: new Date().toISOString(),
    reference: { rows: profile.rows, cols: profile.cols, createdAt: profile.createdAt, meta: profile.meta },
    current: { rows: current.rows },
    options: {
      method: testOpts.method ?? 'auto',
      shareThreshold,
      psiBins: testOpts.psiBins ?? 30,
      ksMethod: testOpts.ksMethod ?? 'auto',
      ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    },
    dataset: {
      drifted: current.rows > 0 && share >= shareThreshold,
      share,
      driftedFeatures: drifted,
      numFeatures: profile.cols,
      shareThreshold,
    },
    features,
    structure: {},
    durationMs: 0,
  };
  if (profile.predictions && current.predictions && current.predictions.length > 0) {
    const k = profile.predictions.counts.length;
    const curCounts = new Array<number>(k).fill(0);
    for (let i = 0; i < current.predictions.length; i++) {
      const v = current.predictions[i];
      if (!Number.isInteger(v) || v < 0 || v >= k)
        dataError(`current.predictions[${i}]`, `class ${v} is outside [0, ${k - 1}]`, { index: i, value: v });
      curCounts[v]++;
    }
    const d = categoricalColumnDrift(profile.predictions.counts, curCounts, { method: opts.predictionMethod });
    const nCur = current.predictions.length;
    report.predictions = {
      ...d,
      numClasses: k,
      refN: profile.predictions.n,
      curN: nCur,
      refShares: profile.predictions.counts.map((v) => round(v / profile.predictions!.n)),
      curShares: curCounts.map((v) => round(v / nCur)),
    };
  }
  // Structure columns always use Evidently's automatic choice: a forced feature test (say PSI) is about features.
  const structOpts: ColumnTestOptions = { ksMethod: testOpts.ksMethod, psiBins: testOpts.psiBins };
  if (profile.degrees && current.degrees && current.degrees.length > 0)
    report.structure.degrees = numericReport(
      'degree',
      profile.degrees,
      sortedFinite(current.degrees),
      structOpts,
      histBins,
    );
  if (profile.subgraphSizes && current.subgraphSizes && current.subgraphSizes.length > 0)
    report.structure.subgraphSizes = numericReport(
      'subgraph size',
      profile.subgraphSizes,
      sortedFinite(current.subgraphSizes),
      structOpts,
      histBins,
    );
  report.durationMs = performance.now() - t0;
  return report;
}

/** The few numbers the server exports as Prometheus gauges and returns from GET /v1/drift. */
// A type alias, not an interface, so it is assignable to Record<string, unknown> (the server's DriftSnapshot).
export type DriftSummary = {
  drifted: boolean;
  share: number;
  driftedFeatures: number;
  numFeatures: number;
  shareThreshold: number;
  currentRows: number;
  /** Jensen–Shannon distance of served vs reference class distribution (null without predictions). */
  predictionDriftScore: number | null;
  predictionDrifted: boolean | null;
  degreeDrifted: boolean | null;
  subgraphSizeDrifted: boolean | null;
  /** Drifted features, highest score first for distances / lowest p first for p-values; at most 20. */
  topFeatures: { name: string; test: string; score: number; threshold: number }[];
  generatedAt: string;
};

export function summarizeDrift(r: DriftReport): DriftSummary {
  return {
    drifted: r.dataset.drifted,
    share: r.dataset.share,
    driftedFeatures: r.dataset.driftedFeatures,
    numFeatures: r.dataset.numFeatures,
    shareThreshold: r.dataset.shareThreshold,
    currentRows: r.current.rows,
    predictionDriftScore: r.predictions ? r.predictions.stats.js : null,
    predictionDrifted: r.predictions ? r.predictions.drifted : null,
    degreeDrifted: r.structure.degrees ? r.structure.degrees.drifted : null,
    subgraphSizeDrifted: r.structure.subgraphSizes ? r.structure.subgraphSizes.drifted : null,
    topFeatures: rankFeatures(r.features)
      .filter((f) => f.drifted)
      .slice(0, 20)
      .map((f) => ({ name: f.name, test: f.test, score: f.score, threshold: f.threshold })),
    generatedAt: r.generatedAt,
  };
}

/**
 * Order features for display: drifted first, then by how far past the threshold they are (distance / threshold
 * for distances, threshold / p for p-values, so both read "larger = more drift").
 */
export function rankFeatures<T extends ColumnDrift>(features: readonly T[]): T[] {
  const severity = (f: ColumnDrift) => {
    const s =
      f.test === 'ks' || f.test === 'chisquare' || f.test === 'z'
        ? f.threshold / Math.max(f.score, 1e-300)
        : f.score / f.threshold;
    return Number.isFinite(s) ? s : 0;
  };
  return [...features].sort((a, b) => Number(b.drifted) - Number(a.drifted) || severity(b) - severity(a));
}

/**
 * The report's accuracy-estimate section: each model version of the window's request-log rows, joined to what the
 * registry knows of it (`facts`), with the version's test accuracy beside the estimate.
 */
export function accuracyEstimateSection(
  rows: readonly EstimateRow[],
  facts: (model: string, version: string) => VersionFacts | undefined,
): VersionEstimate[] {
  return estimateByVersion(rows).map((e) => withFacts(e, facts(e.model, e.version)));
}

/**
 * The drift report: a current window of served inputs against a reference profile.
 *
 * - Feature drift: one test per feature column (Evidently's defaults, see column-drift.ts); the dataset drifts
 *   when the share of drifted columns is ≥ shareThreshold (default 0.5, Evidently's `drift_share`).
 * - Prediction drift: the class distribution of served predictions against the reference predictions.
 * - Graph-structure drift: degree and subgraph-size distributions of the requests against the reference graph.
 * - OOD scores: the served per-node OOD scores of the window against the scores of the reference's nodes.
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
  /** The OOD scores served, per kind of request (node queries, subgraph requests), for the nodes answered with one. */
  ood?: { nodes?: ArrayLike<number>; subgraph?: ArrayLike<number> };
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

/** Count, mean, standard deviation and three quantiles of a score distribution. */
export interface ScoreSummary {
  n: number;
  mean: number;
  std: number;
  p05: number;
  p50: number;
  p95: number;
}

export type OodKind = 'nodes' | 'subgraph';

/**
 * The served OOD scores of one kind of request in a window (GNNSafe energy, monitor/ood.ts; higher = further from
 * the training data) against the reference profile's scores of that kind, computed at registration as the server
 * computes them (see OodScoresExtra in profile.ts): one value per queried node, one per subgraph request (the mean
 * over its nodes). The score moves both ways under drift (features pushed past the
 * training range can make the model more confident, and the energy lower), so the test is two-sided and both
 * tails are reported.
 */
export interface OodReport {
  /** Node queries (/v1/predict/nodes) or subgraph requests (/predict). */
  kind: OodKind;
  current: ScoreSummary;
  /** Null when the profile has no OOD scores of this kind. */
  reference: ScoreSummary | null;
  /** The distribution test against the reference (the structure columns' automatic choice); null without one. */
  drift: NumericColumnReport | null;
  /** Share of the window's scores (nodes, or requests' means) above the reference's 95th percentile (≈ 0.05 without drift). */
  aboveRefP95: number | null;
  /** Share of the window's scores below the reference's 5th percentile (about 0.05 without drift). */
  belowRefP5: number | null;
  /** Why there is no comparison, when there is none. */
  note?: string;
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
  /** One entry per kind of request of the window served with OOD scores (node queries first). */
  ood?: OodReport[];
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
  const ood = oodReports(profile, current.ood, structOpts, histBins);
  if (ood.length > 0) report.ood = ood;
  report.durationMs = performance.now() - t0;
  return report;
}

function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  const pos = q * (m - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(m - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** The OOD section of a report: one entry per kind of request with finite scores in the window. */
export function oodReports(
  profile: Pick<ReferenceProfile, 'ood'>,
  window: CurrentWindow['ood'],
  testOpts: ColumnTestOptions = {},
  histBins = 20,
): OodReport[] {
  const out: OodReport[] = [];
  for (const kind of ['nodes', 'subgraph'] as const) {
    const scores = window?.[kind];
    const r = scores && scores.length > 0 ? oodReport(kind, profile, scores, testOpts, histBins) : undefined;
    if (r) out.push(r);
  }
  return out;
}

/**
 * One kind's OOD entry from a window's served scores (non-finite ones dropped); undefined when none is finite.
 * Without reference scores of that kind in the profile, the window's distribution is reported alone and `note`
 * says why.
 */
export function oodReport(
  kind: OodKind,
  profile: Pick<ReferenceProfile, 'ood'>,
  scores: ArrayLike<number>,
  testOpts: ColumnTestOptions = {},
  histBins = 20,
): OodReport | undefined {
  const cur = sortedFinite(scores);
  if (cur.length === 0) return undefined;
  const { mean, std } = meanStd(cur);
  const current: ScoreSummary = {
    n: cur.length,
    mean,
    std,
    p05: quantileSorted(cur, 0.05),
    p50: quantileSorted(cur, 0.5),
    p95: quantileSorted(cur, 0.95),
  };
  const ref = profile.ood?.[kind];
  if (!ref)
    return {
      kind,
      current,
      reference: null,
      drift: null,
      aboveRefP95: null,
      belowRefP5: null,
      note: `the reference profile has no OOD scores of ${kind === 'nodes' ? 'node queries' : 'subgraph requests'} (it was made without the model); register the version again to compare`,
    };
  const r95 = sketchQuantile(ref, 0.95);
  const r05 = sketchQuantile(ref, 0.05);
  let above = 0;
  let below = 0;
  for (const v of cur) {
    if (v > r95) above++;
    if (v < r05) below++;
  }
  return {
    kind,
    current,
    reference: {
      n: ref.n,
      mean: ref.mean,
      std: ref.std,
      p05: r05,
      p50: sketchQuantile(ref, 0.5),
      p95: r95,
    },
    drift: numericReport(`OOD score (${kind})`, ref, cur, testOpts, histBins),
    aboveRefP95: above / cur.length,
    belowRefP5: below / cur.length,
  };
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
  /** The served OOD scores against the reference's, per kind of request (empty when no row carried one). */
  ood: {
    kind: OodKind;
    n: number;
    mean: number;
    referenceMean: number | null;
    drifted: boolean | null;
    test: string | null;
    score: number | null;
    aboveRefP95: number | null;
    belowRefP5: number | null;
  }[];
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
    ood: (r.ood ?? []).map(summarizeOod),
    topFeatures: rankFeatures(r.features)
      .filter((f) => f.drifted)
      .slice(0, 20)
      .map((f) => ({ name: f.name, test: f.test, score: f.score, threshold: f.threshold })),
    generatedAt: r.generatedAt,
  };
}

export function summarizeOod(o: OodReport): DriftSummary['ood'][number] {
  return {
    kind: o.kind,
    n: o.current.n,
    mean: o.current.mean,
    referenceMean: o.reference?.mean ?? null,
    drifted: o.drift?.drifted ?? null,
    test: o.drift?.test ?? null,
    score: o.drift?.score ?? null,
    aboveRefP95: o.aboveRefP95,
    belowRefP5: o.belowRefP5,
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
 * The estimates of a window checked against its OOD scores: where the served scores drift from the reference's, the
 * inputs left the region where the temperature was fitted, and the mean confidence stops following the accuracy
 * (BENCHMARKS.md, "Label-free accuracy estimate on served traffic": on Cora every scenario whose estimate was more
 * than 3 points off had drifting scores). Such an estimate is marked unreliable, with the drift named in its warning.
 */
export function withOodCheck(
  estimates: readonly VersionEstimate[],
  ood: readonly OodReport[] | undefined,
): VersionEstimate[] {
  const compared = (ood ?? []).filter((o) => o.drift !== null);
  if (compared.length === 0) return [...estimates];
  const drifted = compared.filter((o) => o.drift?.drifted);
  const what = drifted
    .map(
      (o) =>
        `${o.kind === 'nodes' ? 'node queries' : 'subgraph requests'} (${o.drift?.test} ${o.drift?.score.toPrecision(3)})`,
    )
    .join(', ');
  return estimates.map((e) => {
    if (drifted.length === 0) return { ...e, reliable: true };
    const note = `the served OOD scores drift from the reference's for ${what}: the inputs moved away from those the confidences were calibrated on, so the estimate may be far from the accuracy`;
    return { ...e, reliable: false, warning: e.warning ? `${e.warning}; ${note}` : note };
  });
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

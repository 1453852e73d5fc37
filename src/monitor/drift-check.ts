/**
 * Glue between the request log and the drift report, for the server's background check and GET /v1/drift:
 * turn logged requests into a current window, run the report, and return the gauge values plus the summary.
 */
import type { RequestLogEntry } from '../request-log/types.js';
import {
  type CurrentWindow,
  type DriftReportOptions,
  type DriftSummary,
  driftReport,
  oodReports,
  summarizeDrift,
  summarizeOod,
} from './drift-report.js';
import { estimateByVersion, type WindowEstimate } from './estimate.js';
import type { ReferenceProfile } from './profile.js';

/**
 * Build a current window from request-log rows (oldest first). Feature rows come from requests whose features were
 * sampled (one row per node of the subgraph); predictions and degrees from every request, OOD scores from every
 * request served with them (each node of a node query; a subgraph request's mean, as the reference holds them); a
 * subgraph request contributes its node count to the subgraph sizes. Rows whose width differs from `cols` are
 * skipped.
 */
export function windowFromRequestLog(entries: readonly RequestLogEntry[], cols: number): CurrentWindow {
  let rows = 0;
  for (const e of entries) if (e.features && e.numFeatures === cols) rows += e.numNodes;
  const features = new Float32Array(rows * cols);
  const predictions: number[] = [];
  const degrees: number[] = [];
  const subgraphSizes: number[] = [];
  const ood = { nodes: [] as number[], subgraph: [] as number[] };
  let off = 0;
  for (const e of entries) {
    if (e.features && e.numFeatures === cols) {
      features.set(e.features.subarray(0, e.numNodes * cols), off);
      off += e.numNodes * cols;
    }
    for (const p of e.predictions) predictions.push(p);
    for (const d of e.degrees) degrees.push(d);
    if (e.oodScore && e.oodScore.length > 0) {
      if (e.kind === 'nodes') for (const s of e.oodScore) ood.nodes.push(s);
      else ood.subgraph.push(e.oodScore.reduce((a, b) => a + b, 0) / e.oodScore.length);
    }
    if (e.kind === 'subgraph') subgraphSizes.push(e.numNodes);
  }
  return { features, rows, cols, predictions, degrees, subgraphSizes, ood };
}

/** The gauge values the server exports, with the /v1/drift summary. */
export type DriftSnapshotValues = DriftSummary & {
  driftShare: number;
  driftedFeatures: number;
  /** Jensen–Shannon distance of the served class mix to the reference's (0 without predictions). */
  predictionDriftScore: number;
};

export function driftSnapshot(
  profile: ReferenceProfile,
  current: CurrentWindow,
  opts: DriftReportOptions = {},
): DriftSnapshotValues {
  const summary = summarizeDrift(driftReport(profile, current, { ...opts, histBins: 0 }));
  return {
    ...summary,
    driftShare: summary.share,
    driftedFeatures: summary.driftedFeatures,
    predictionDriftScore: summary.predictionDriftScore ?? 0,
  };
}

/** Nothing to compare yet (no logged feature rows): the gauges read 0 and the snapshot says why. */
export interface UnavailableSnapshot {
  driftShare: 0;
  driftedFeatures: 0;
  predictionDriftScore: 0;
  available: false;
  reason: string;
  requests: number;
  /** The accuracy estimate needs no features: by-node queries have one too. */
  estimates: WindowEstimate[];
  /** Nor do the OOD scores: their comparison with the reference, per kind of request. */
  ood: DriftSummary['ood'];
}

/**
 * The server's drift snapshot of request-log rows (oldest first) against a profile, with the label-free accuracy
 * estimate of each model version in the window (before the registry's facts are joined: see estimate.ts withFacts).
 */
export function requestLogSnapshot(
  profile: ReferenceProfile,
  entries: readonly RequestLogEntry[],
): (DriftSnapshotValues & { available: true; requests: number; estimates: WindowEstimate[] }) | UnavailableSnapshot {
  const estimates = estimateByVersion(entries);
  const cur = windowFromRequestLog(entries, profile.cols);
  if (cur.rows === 0) {
    const ood = oodReports(profile, cur.ood, {}, 0);
    return {
      driftShare: 0,
      driftedFeatures: 0,
      predictionDriftScore: 0,
      available: false,
      reason: 'no logged rows',
      requests: entries.length,
      estimates,
      ood: ood.map(summarizeOod),
    };
  }
  return { available: true, requests: entries.length, ...driftSnapshot(profile, cur), estimates };
}

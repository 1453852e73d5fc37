import { TEST_INFO } from '../../monitor/column-drift.js';
import { windowFromRequestLog } from '../../monitor/drift-check.js';
import { driftReport, type NumericColumnReport, rankFeatures, summarizeDrift } from '../../monitor/drift-report.js';
import { estimateByVersion, type WindowEstimate } from '../../monitor/estimate.js';
import type { ReferenceProfile } from '../../monitor/profile.js';
import type { RequestLogEntry } from '../../request-log/types.js';
import { finiteOrNull } from './schemas/common.js';
import type {
  ColumnDriftJson,
  DriftAccuracyResponse,
  DriftHistoryResponse,
  DriftLatestResponse,
} from './schemas/drift.js';

/** Features listed in a latest report (most drifted first); the rest are summarised by the dataset counts. */
const MAX_FEATURES = 60;

function column(c: NumericColumnReport, index?: number): ColumnDriftJson {
  const out: ColumnDriftJson = {
    name: c.name,
    test: c.test,
    test_label: TEST_INFO[c.test].label,
    score: finiteOrNull(c.score),
    threshold: c.threshold,
    drifted: c.drifted,
    ref_mean: finiteOrNull(c.refMean),
    ref_std: finiteOrNull(c.refStd),
    cur_mean: finiteOrNull(c.curMean),
    cur_std: finiteOrNull(c.curStd),
    cur_n: c.curN,
  };
  if (index !== undefined) out.index = index;
  if (c.hist) out.hist = c.hist;
  return out;
}

const noTraffic = (n: number, cols: number) =>
  `no logged request in the last window carries sampled feature rows of width ${cols} (${n} requests read): ` +
  'send subgraphs to POST /predict (by-node queries log no features), or raise serve.log_sample_rate';

/** The drift report of a window of logged requests (oldest first) against the reference profile. */
export function latestDrift(
  entries: readonly RequestLogEntry[],
  profile: ReferenceProfile,
  source: string,
): DriftLatestResponse {
  const cur = windowFromRequestLog(entries, profile.cols);
  if (cur.rows === 0)
    return {
      available: false,
      reason: noTraffic(entries.length, profile.cols),
      profile_source: source,
      requests: entries.length,
    };
  const r = driftReport(profile, cur, { histBins: 20 });
  const res: DriftLatestResponse = {
    available: true,
    profile_source: source,
    generated_at: r.generatedAt,
    requests: entries.length,
    current_rows: r.current.rows,
    reference_rows: r.reference.rows,
    dataset: {
      drifted: r.dataset.drifted,
      share: r.dataset.share,
      drifted_features: r.dataset.driftedFeatures,
      num_features: r.dataset.numFeatures,
      share_threshold: r.dataset.shareThreshold,
    },
    features: rankFeatures(r.features)
      .slice(0, MAX_FEATURES)
      .map((f) => column(f, f.index)),
    structure: [r.structure.degrees, r.structure.subgraphSizes].flatMap((c) => (c ? [column(c)] : [])),
    duration_ms: r.durationMs,
  };
  if (r.predictions) {
    res.predictions = {
      drifted: r.predictions.drifted,
      score: finiteOrNull(r.predictions.score),
      test: TEST_INFO[r.predictions.test].label,
      ref_shares: r.predictions.refShares,
      cur_shares: r.predictions.curShares,
    };
  }
  return res;
}

/**
 * Drift share over time: a window of logged requests, oldest first, cut into `windows` consecutive windows of equal
 * request count, each compared with the reference. Windows without sampled features are left out.
 */
export function driftHistory(
  entries: readonly RequestLogEntry[],
  profile: ReferenceProfile,
  windows: number,
): DriftHistoryResponse {
  const size = Math.max(1, Math.ceil(entries.length / windows));
  const points: DriftHistoryResponse['points'] = [];
  let threshold: number | undefined;
  for (let s = 0; s < entries.length; s += size) {
    const chunk = entries.slice(s, s + size);
    const cur = windowFromRequestLog(chunk, profile.cols);
    if (cur.rows === 0) continue;
    const sum = summarizeDrift(driftReport(profile, cur, { histBins: 0 }));
    threshold = sum.shareThreshold;
    points.push({
      from: chunk[0].ts,
      to: chunk[chunk.length - 1].ts,
      requests: chunk.length,
      rows: cur.rows,
      share: sum.share,
      drifted: sum.drifted,
      drifted_features: sum.driftedFeatures,
      prediction_score: sum.predictionDriftScore === null ? null : finiteOrNull(sum.predictionDriftScore),
    });
  }
  if (points.length === 0) return { available: false, reason: noTraffic(entries.length, profile.cols), points };
  return { available: true, share_threshold: threshold, points };
}

/** The served version's estimate over a window, whole and per consecutive sub-window (before the registry facts). */
export interface AccuracyWindows {
  /** Requests read. */
  requests: number;
  estimate: WindowEstimate | null;
  points: DriftAccuracyResponse['points'];
}

/**
 * The label-free accuracy estimate of one model version over its logged requests (oldest first, all of that
 * version), and over `windows` consecutive windows of equal request count.
 */
export function accuracyWindows(entries: readonly RequestLogEntry[], windows: number): AccuracyWindows {
  const size = Math.max(1, Math.ceil(entries.length / windows));
  const points: DriftAccuracyResponse['points'] = [];
  for (let s = 0; s < entries.length; s += size) {
    const chunk = entries.slice(s, s + size);
    const e = estimateByVersion(chunk)[0];
    if (!e || e.n === 0) continue;
    points.push({
      from: chunk[0].ts,
      to: chunk[chunk.length - 1].ts,
      requests: chunk.length,
      n: e.n,
      estimated: e.estimated,
      low: e.low,
      high: e.high,
    });
  }
  const whole = estimateByVersion(entries)[0];
  return { requests: entries.length, estimate: whole && whole.n > 0 ? whole : null, points };
}

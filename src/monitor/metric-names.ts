/**
 * The Prometheus metrics the gnnops server exports (src/serve/metrics.ts) that the alert rules
 * (deploy/prometheus/alerts.yml) and the Grafana dashboard (deploy/grafana/dashboards/gnnops.json) rely on.
 * test/monitor/deploy.test.ts checks both files use only these, and that the server registers every one.
 */
export const SERVER_METRICS = Object.freeze({
  /** counter {route, status}: HTTP requests answered. */
  requestsTotal: 'gnnops_requests_total',
  /** histogram {route}: request duration (seconds); queried through _bucket/_sum/_count. */
  requestDuration: 'gnnops_request_duration_seconds',
  /** gauge: requests being processed. */
  requestsInFlight: 'gnnops_requests_in_flight',
  /** histogram {kind}: model forward time (seconds). */
  inferenceDuration: 'gnnops_inference_duration_seconds',
  /** gauge {model, version} = 1 for the served model. */
  modelInfo: 'gnnops_model_info',
  /** gauge: 1 when a model is loaded. */
  modelReady: 'gnnops_model_ready',
  /** counter {class}: node predictions served by predicted class. */
  predictionsTotal: 'gnnops_predictions_total',
  /** counter: request-log rows dropped (queue full). */
  requestLogDropped: 'gnnops_request_log_dropped_total',
  /** counter: request-log rows committed. */
  requestLogWritten: 'gnnops_request_log_written_total',
  /** gauge: share of features drifted in the last drift check. */
  driftShare: 'gnnops_drift_share',
  /** gauge: number of drifted features in the last drift check. */
  driftedFeatures: 'gnnops_drifted_features',
  /** gauge: Jensen–Shannon distance of served vs reference class mix. */
  predictionDriftScore: 'gnnops_prediction_drift_score',
  /** gauge {model, version}: label-free accuracy estimate of the last drift check's window. */
  estimatedAccuracy: 'gnnops_estimated_accuracy',
  /** gauge {model, version}: the served version's registered test accuracy. */
  modelTestAccuracy: 'gnnops_model_test_accuracy',
} as const);

export type ServerMetricName = (typeof SERVER_METRICS)[keyof typeof SERVER_METRICS];

/** Histogram metrics, whose series carry the _bucket, _sum and _count suffixes. */
export const HISTOGRAM_METRICS: readonly string[] = [SERVER_METRICS.requestDuration, SERVER_METRICS.inferenceDuration];

/** Metric names of a PromQL expression that belong to gnnops, with histogram suffixes folded to the base name. */
export function gnnopsMetricsIn(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\bgnnops_[a-z0-9_]+/g)) {
    let name = m[0];
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name && HISTOGRAM_METRICS.includes(base)) name = base;
    out.add(name);
  }
  return [...out];
}

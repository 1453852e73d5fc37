import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { versionFacts } from '../monitor/estimate.js';

/** Values the background drift check publishes (computed by src/monitor). */
export interface DriftGauges {
  /** Share of features that drifted, in [0, 1]. */
  driftShare: number;
  /** Number of drifted features. */
  driftedFeatures: number;
  /** Prediction (class-distribution) drift score. */
  predictionDriftScore: number;
  /** Label-free accuracy estimate per served (model, version) of the window (src/monitor/estimate.ts). */
  estimates?: readonly { model: string; version: string; estimated: number; n: number }[];
}

/**
 * The server's Prometheus metrics, in their own registry (several apps can live in one process, as in tests).
 * Names follow Prometheus conventions: `_total` counters, `_seconds` histograms.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly inFlight: Gauge;
  readonly inference: Histogram<'kind'>;
  readonly modelInfo: Gauge<'model' | 'version'>;
  readonly modelReady: Gauge;
  readonly predictions: Counter<'class'>;
  readonly logDropped: Counter;
  readonly logWritten: Counter;
  readonly logPruned: Counter;
  readonly logPending: Gauge;
  /** Reads the request-log queue's pending rows at scrape time (set by whoever owns the queue). */
  pendingRows: (() => number) | undefined;
  readonly reloads: Counter<'result'>;
  readonly driftShare: Gauge;
  readonly driftedFeatures: Gauge;
  readonly predictionDrift: Gauge;
  readonly estimatedAccuracy: Gauge<'model' | 'version'>;
  readonly testAccuracy: Gauge<'model' | 'version'>;
  private readonly classChildren = new Map<string, { inc(v: number): void }>();

  constructor(buckets: readonly number[], opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'gnnops_requests_total',
      help: 'HTTP requests answered, by route pattern and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gnnops_request_duration_seconds',
      help: 'HTTP request duration from arrival to the last byte sent.',
      labelNames: ['route'],
      buckets: [...buckets],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'gnnops_requests_in_flight',
      help: 'Requests being processed.',
      registers,
    });
    this.inference = new Histogram({
      name: 'gnnops_inference_duration_seconds',
      help: 'Model forward time per request (kind: subgraph or nodes).',
      labelNames: ['kind'],
      buckets: [...buckets],
      registers,
    });
    // aggregators say how the cluster primary combines the workers' values (default: sum)
    this.modelInfo = new Gauge({
      name: 'gnnops_model_info',
      help: 'The served model: 1 for the current name and version.',
      labelNames: ['model', 'version'],
      aggregator: 'max',
      registers,
    });
    this.modelReady = new Gauge({
      name: 'gnnops_model_ready',
      help: '1 when a model is loaded (in every worker).',
      aggregator: 'min',
      registers,
    });
    this.predictions = new Counter({
      name: 'gnnops_predictions_total',
      help: 'Node predictions served, by predicted class.',
      labelNames: ['class'],
      registers,
    });
    this.logDropped = new Counter({
      name: 'gnnops_request_log_dropped_total',
      help: 'Request-log rows dropped (the requests were served): the log queue was full, e.g. while the store was unreachable, or rows were still unwritten at shutdown.',
      registers,
    });
    this.logWritten = new Counter({
      name: 'gnnops_request_log_written_total',
      help: 'Request-log rows committed to the store.',
      registers,
    });
    const pending = () => this.pendingRows?.() ?? 0;
    this.logPending = new Gauge({
      name: 'gnnops_request_log_pending',
      help: 'Request-log rows accepted but not yet committed (queued or being written); grows while the store is unreachable.',
      registers,
      collect() {
        this.set(pending());
      },
    });
    this.logPruned = new Counter({
      name: 'gnnops_request_log_pruned_total',
      help: 'Request-log rows deleted by retention (serve.log_retention_rows, serve.log_retention_hours).',
      registers,
    });
    this.reloads = new Counter({
      name: 'gnnops_model_reloads_total',
      help: 'Model reload attempts by result (swapped, unchanged, failed).',
      labelNames: ['result'],
      registers,
    });
    this.driftShare = new Gauge({
      name: 'gnnops_drift_share',
      aggregator: 'max',
      help: 'Share of input features that drifted in the last drift check.',
      registers,
    });
    this.driftedFeatures = new Gauge({
      name: 'gnnops_drifted_features',
      aggregator: 'max',
      help: 'Number of input features that drifted in the last drift check.',
      registers,
    });
    this.predictionDrift = new Gauge({
      name: 'gnnops_prediction_drift_score',
      aggregator: 'max',
      help: 'Prediction (class distribution) drift score of the last drift check.',
      registers,
    });
    this.estimatedAccuracy = new Gauge({
      name: 'gnnops_estimated_accuracy',
      aggregator: 'max',
      help: 'Label-free accuracy estimate of the last drift check: mean calibrated top-class probability of the served predictions of each model version in the window.',
      labelNames: ['model', 'version'],
      registers,
    });
    this.testAccuracy = new Gauge({
      name: 'gnnops_model_test_accuracy',
      aggregator: 'max',
      help: 'Test accuracy the served model version was registered with (its test_acc metric); absent when unknown.',
      labelNames: ['model', 'version'],
      registers,
    });
    this.modelReady.set(0);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  setModel(model: { name: string; version: string; info?: { metrics?: Record<string, number> } } | undefined): void {
    this.modelInfo.reset();
    this.testAccuracy.reset();
    if (model) {
      const labels = { model: model.name, version: model.version };
      this.modelInfo.set(labels, 1);
      // its own gauge rather than a label of gnnops_model_info, so alert rules can subtract it from the estimate
      const acc = versionFacts(model.info?.metrics).testAccuracy;
      if (acc !== null) this.testAccuracy.set(labels, acc);
    }
    this.modelReady.set(model ? 1 : 0);
  }

  /** Count predictions per class with one increment per class present. */
  countPredictions(classes: Int32Array, numClasses: number, names?: readonly string[]): void {
    const counts = new Uint32Array(numClasses);
    for (let i = 0; i < classes.length; i++) counts[classes[i]]++;
    for (let c = 0; c < numClasses; c++) {
      if (counts[c] === 0) continue;
      const label = names?.[c] ?? String(c);
      let child = this.classChildren.get(label);
      if (!child) {
        child = this.predictions.labels({ class: label });
        this.classChildren.set(label, child);
      }
      child.inc(counts[c]);
    }
  }

  setDrift(d: DriftGauges): void {
    this.driftShare.set(d.driftShare);
    this.driftedFeatures.set(d.driftedFeatures);
    this.predictionDrift.set(d.predictionDriftScore);
    if (d.estimates) {
      // only the versions of the last window: a version no longer served drops out once its rows have aged out
      this.estimatedAccuracy.reset();
      for (const e of d.estimates)
        if (e.n > 0 && Number.isFinite(e.estimated))
          this.estimatedAccuracy.set({ model: e.model, version: e.version }, e.estimated);
    }
  }
}

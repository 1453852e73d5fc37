import type { ServeMetrics } from '../metrics.js';

/** Routes whose traffic the overview shows (the dashboard's own API calls are not traffic). */
export const PREDICTION_ROUTES: ReadonlySet<string> = new Set([
  '/predict',
  '/v1/predict/nodes',
  '/v2/models/:name/infer',
]);

interface Counts {
  t: number;
  requests: number;
  errors: number;
  /** Cumulative histogram counts per upper bound (le), summed over prediction routes. */
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export interface TrafficPoint {
  t: number;
  rps: number;
  p99_ms: number | null;
}

export interface TrafficView {
  requests_total: number;
  errors_total: number;
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  mean_ms: number | null;
  interval_s: number;
  latency_window_s: number;
  series: TrafficPoint[];
}

/**
 * Quantile from the difference of two cumulative Prometheus histograms, interpolated linearly inside the
 * bucket (what histogram_quantile does); the +Inf bucket answers with the largest finite bound.
 */
export function histogramQuantile(
  q: number,
  cur: Map<number, number>,
  prev: Map<number, number> | undefined,
): number | null {
  const bounds = [...cur.keys()].sort((a, b) => a - b);
  const delta = bounds.map((le) => (cur.get(le) ?? 0) - (prev?.get(le) ?? 0));
  const total = delta[delta.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    if (delta[i] >= rank) {
      const le = bounds[i];
      if (!Number.isFinite(le)) return lower;
      const inBucket = delta[i] - below;
      return inBucket <= 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket;
    }
    lower = bounds[i];
    below = delta[i];
  }
  return null;
}

/**
 * Samples the server's request counter and latency histogram every `intervalMs` into a ring of `keep`
 * points, so the overview can show a request rate and latency quantiles over the last interval without
 * a Prometheus server.
 */
export class TrafficSampler {
  #ring: { counts: Counts; point: TrafficPoint | null }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metrics: ServeMetrics,
    private readonly intervalMs = 5000,
    private readonly keep = 120,
  ) {}

  async read(): Promise<Counts> {
    const req = await this.metrics.requests.get();
    let requests = 0;
    let errors = 0;
    for (const v of req.values) {
      if (!PREDICTION_ROUTES.has(String(v.labels.route))) continue;
      requests += v.value;
      if (Number(v.labels.status) >= 400) errors += v.value;
    }
    const dur = await this.metrics.duration.get();
    const buckets = new Map<number, number>();
    let sum = 0;
    let count = 0;
    for (const v of dur.values) {
      const labels = v.labels as Record<string, string | number | undefined>;
      if (!PREDICTION_ROUTES.has(String(labels.route))) continue;
      if (v.metricName?.endsWith('_bucket')) {
        const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
        buckets.set(le, (buckets.get(le) ?? 0) + v.value);
      } else if (v.metricName?.endsWith('_sum')) sum += v.value;
      else if (v.metricName?.endsWith('_count')) count += v.value;
    }
    return { t: Date.now(), requests, errors, buckets, sum, count };
  }

  async sample(): Promise<void> {
    const counts = await this.read();
    const prev = this.#ring[this.#ring.length - 1]?.counts;
    let point: TrafficPoint | null = null;
    if (prev) {
      const dt = (counts.t - prev.t) / 1000;
      const p99 = histogramQuantile(0.99, counts.buckets, prev.buckets);
      point = {
        t: counts.t,
        rps: dt > 0 ? (counts.requests - prev.requests) / dt : 0,
        p99_ms: p99 === null ? null : p99 * 1000,
      };
    }
    this.#ring.push({ counts, point });
    if (this.#ring.length > this.keep) this.#ring.shift();
  }

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Totals now; the request rate since the previous sample; latency quantiles and mean over the last
   * `latencyWindowMs` (default 60 s, or since start), so they stay readable between bursts.
   */
  async view(latencyWindowMs = 60_000): Promise<TrafficView> {
    const now = await this.read();
    const last = this.#ring[this.#ring.length - 1]?.counts;
    const base = last && now.t - last.t >= 1000 ? last : this.#ring[this.#ring.length - 2]?.counts;
    const dt = base ? (now.t - base.t) / 1000 : 0;
    const since = this.#ring.find((r) => now.t - r.counts.t <= latencyWindowMs)?.counts;
    const dCount = now.count - (since?.count ?? 0);
    const q = (p: number) => {
      const v = histogramQuantile(p, now.buckets, since?.buckets);
      return v === null ? null : v * 1000;
    };
    return {
      requests_total: now.requests,
      errors_total: now.errors,
      rps: base && dt > 0 ? (now.requests - base.requests) / dt : null,
      p50_ms: q(0.5),
      p99_ms: q(0.99),
      mean_ms: dCount > 0 ? ((now.sum - (since?.sum ?? 0)) / dCount) * 1000 : null,
      interval_s: dt,
      latency_window_s: since ? (now.t - since.t) / 1000 : 0,
      series: this.#ring.flatMap((r) => (r.point ? [r.point] : [])),
    };
  }
}

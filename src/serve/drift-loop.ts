import { log } from '../util/logger.js';
import type { DriftGauges, ServeMetrics } from './metrics.js';

/** A drift check's result: the gauge values plus whatever summary the monitor returns (served by GET /v1/drift). */
export type DriftSnapshot = DriftGauges & object;

/** Computes drift over the current request-log window (provided by src/monitor, wired by the caller). */
export type DriftCheck = () => Promise<DriftSnapshot>;

/**
 * Runs the drift check every `intervalMs` and publishes the gauges. Checks never overlap; a failing check is
 * logged and leaves the gauges at their last values.
 */
export class DriftLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DriftSnapshot | undefined> | undefined;
  last: DriftSnapshot | undefined;
  lastAt: Date | undefined;

  constructor(
    private readonly check: DriftCheck,
    private readonly metrics: ServeMetrics,
  ) {}

  start(intervalMs: number): void {
    this.stop();
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  /** Run a check now (joins one already running). */
  runOnce(): Promise<DriftSnapshot | undefined> {
    if (this.running) return this.running;
    this.running = this.check()
      .then((snap) => {
        this.metrics.setDrift(snap);
        this.last = snap;
        this.lastAt = new Date();
        return snap;
      })
      .catch((e: unknown) => {
        log.warn({ err: e }, 'drift check failed; gauges keep their last values');
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Wait for a check in progress (shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }
}

/**
 * Progress of a mini-batch training run on stderr: on a terminal, one bar per epoch over its batches with batches/s
 * and sampled edges/s; when stderr is not a terminal (a log file, CI), one line per epoch with the same figures, so
 * that a long run still says how far it is without filling the log with redraws (an epoch longer than a minute adds
 * a line a minute on the way); nothing under --json.
 */
import type { Batching } from '../train/minibatch.js';
import type { BatchProgress, EpochMetrics } from '../train/trainer.js';
import { progressBar } from './output.js';

/** The training part of one epoch (its batches), as the trainer reported the last one. */
export interface EpochBatches {
  batches: number;
  /** Sampled edges over the epoch's blocks. */
  edges: number;
  /** From the epoch's start to the end of its last batch step (sampling waits included, evaluation not). */
  ms: number;
}

const rate = (count: number, ms: number) => (ms > 0 ? (1000 * count) / ms : 0);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** The batching announcement, printed once before the first run (with the reason when the size chose it). */
export function batchingLine(b: Batching): string {
  const line = `mini-batch training: batch ${b.batchSize}, fanouts ${b.fanouts.join(',')}, ${b.workers} sampling thread(s); evaluation by layer-wise inference in chunks of ${b.inferenceChunk}`;
  return b.auto ? `${line}\n  because ${b.auto}` : line;
}

/** One epoch's line for a log: its batches, their speed, the time waiting for the sampler, loss and val accuracy. */
export function epochLine(split: string, m: EpochMetrics, t: EpochBatches): string {
  const wait =
    m.sample_wait_ms !== undefined && t.ms > 0
      ? `, ${((100 * m.sample_wait_ms) / t.ms).toFixed(1)}% waiting for samples`
      : '';
  return (
    `split ${split} epoch ${m.epoch + 1}: ${t.batches} batches in ${(t.ms / 1000).toFixed(1)} s ` +
    `(${rate(t.batches, t.ms).toFixed(2)} batches/s, ${int(rate(t.edges, t.ms))} sampled edges/s${wait}); ` +
    `evaluation ${((m.epoch_ms - t.ms) / 1000).toFixed(1)} s; train loss ${m.train_loss.toFixed(4)}, ` +
    `val acc ${(100 * m.val_acc).toFixed(2)}%`
  );
}

/** Within an epoch, a log line at most this often. */
const LINE_EVERY_MS = 60_000;

/** A line for a log partway through an epoch. */
export function progressLine(split: string, p: BatchProgress): string {
  return (
    `split ${split} epoch ${p.epoch + 1}: ${p.batch}/${p.batches} batches after ${(p.elapsed_ms / 1000).toFixed(0)} s ` +
    `(${rate(p.batch, p.elapsed_ms).toFixed(2)} batches/s, ${int(rate(p.edges_total, p.elapsed_ms))} sampled edges/s)`
  );
}

export class MiniBatchProgress {
  /** Under --json: nothing is written. */
  readonly quiet: boolean;
  readonly #bar: ReturnType<typeof progressBar>;
  readonly #lines: boolean;
  readonly #write: (s: string) => void;
  #split = '';
  #val = '-';
  #last: EpochBatches = { batches: 0, edges: 0, ms: 0 };
  #lineAt = 0;

  /**
   * @param json quiet (the result goes to stdout as JSON)
   * @param tty whether stderr is a terminal (default: process.stderr.isTTY)
   */
  constructor(
    json: boolean,
    tty = Boolean(process.stderr.isTTY),
    write: (s: string) => void = (s) => void process.stderr.write(s),
  ) {
    this.quiet = json;
    this.#write = write;
    this.#lines = !json && !tty;
    this.#bar =
      json || !tty
        ? null
        : progressBar(false, {
            format:
              'split {split} epoch {epoch} [{bar}] {value}/{total} batches | {bps} batches/s | {eps} sampled edges/s | loss {loss} | val {val}',
            hideCursor: true,
            clearOnComplete: true,
          });
  }

  batching(b: Batching): void {
    if (!this.quiet) this.#write(`${batchingLine(b)}\n`);
  }

  runStart(split: string): void {
    this.#split = split;
    this.#val = '-';
  }

  batch(p: BatchProgress): void {
    this.#last = { batches: p.batch, edges: p.edges_total, ms: p.elapsed_ms };
    if (this.#lines) {
      if (p.batch === 1) this.#lineAt = 0;
      // A long epoch also reports on its way, at most once a minute.
      if (p.batch < p.batches && p.elapsed_ms - this.#lineAt >= LINE_EVERY_MS) {
        this.#lineAt = p.elapsed_ms;
        this.#write(`${progressLine(this.#split, p)}\n`);
      }
    }
    if (!this.#bar) return;
    const payload = {
      split: this.#split,
      epoch: p.epoch + 1,
      bps: p.elapsed_ms > 0 ? rate(p.batch, p.elapsed_ms).toFixed(1) : '-',
      eps: p.elapsed_ms > 0 ? int(rate(p.edges_total, p.elapsed_ms)) : '-',
      loss: p.loss.toFixed(4),
      val: this.#val,
    };
    if (p.batch === 1) this.#bar.start(p.batches, 1, payload);
    else this.#bar.update(p.batch, payload);
    if (p.batch === p.batches) this.#bar.stop();
  }

  epoch(m: EpochMetrics): void {
    this.#val = (100 * m.val_acc).toFixed(2);
    if (this.#lines) this.#write(`${epochLine(this.#split, m, this.#last)}\n`);
  }
}

import { log } from '../util/logger.js';
import { type LogSink, LogWriteError } from './sink.js';
import type { RequestLogEntry } from './types.js';

export interface RequestLogOptions {
  /** Rows held (queued + being written) before new ones are dropped (default 10,000). */
  capacity?: number;
  /** Flush interval in ms (default 20: small batches keep the writer's CPU use even, see serve.log_flush_ms). */
  flushMs?: number;
  /** Rows per transaction (default 1,000). */
  batchSize?: number;
  /** Longest wait between write attempts while writes fail (default 2,000 ms; the wait doubles from flushMs). */
  maxRetryMs?: number;
  /** Called with the number of rows dropped: the queue was full, or rows were still unwritten at close. */
  onDrop?: (n: number) => void;
  /** Called with the number of rows committed. */
  onWrite?: (n: number) => void;
}

/**
 * A bounded queue in front of the request_log table. `push` never blocks and never throws: when `capacity` rows
 * are held the new row is dropped and counted, so logging sheds load and requests never wait on it. A timer (or
 * a full batch) flushes: one batch at a time goes to the sink (a writer thread in the server) as one transaction.
 * A failed write (the SQLite file is locked, the PostgreSQL server restarts or cannot be reached) puts the rows
 * back, and the timer tries again after a wait that doubles up to `maxRetryMs`: the queue buffers through an
 * outage, sheds (and counts) once full, and catches up when the database is back. Rows still unwritten when the
 * queue closes are counted as dropped, so every row pushed is written or counted.
 */
export class RequestLogQueue {
  private queue: RequestLogEntry[] = [];
  private inFlight = 0;
  private flushing: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private closing: Promise<number> | undefined;
  readonly capacity: number;
  readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxRetryMs: number;
  /** Consecutive failed writes, and when the timer may try again (ms, Date.now()). */
  private failures = 0;
  private retryAt = 0;
  dropped = 0;
  written = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly opts: RequestLogOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10_000;
    this.batchSize = opts.batchSize ?? 1000;
    this.flushMs = opts.flushMs ?? 20;
    this.maxRetryMs = Math.max(this.flushMs, opts.maxRetryMs ?? 2000);
    this.timer = setInterval(() => this.tick(), this.flushMs);
    this.timer.unref();
  }

  /** Rows not yet committed (queued or being written). */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Enqueue a row; false (and counted) when the queue is full. */
  push(row: RequestLogEntry): boolean {
    if (this.pending >= this.capacity) {
      this.dropped++;
      this.opts.onDrop?.(1);
      return false;
    }
    this.queue.push(row);
    if (this.queue.length >= this.batchSize && !this.immediate && !this.closed) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.tick();
      });
    }
    return true;
  }

  /** Whether the last write failed (the database is locked or unreachable) and the queue is waiting to retry. */
  get retrying(): boolean {
    return this.failures > 0;
  }

  /** A timer's flush: skipped while waiting out the backoff after failed writes. */
  private tick(): void {
    if (this.failures > 0 && Date.now() < this.retryAt) return;
    void this.flush();
  }

  /** Write everything queued now, batch by batch; resolves with the rows written (joins a flush in progress). */
  flush(): Promise<number> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.queue.length === 0) return Promise.resolve(0);
    this.flushing = this.drainOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drainOnce(): Promise<number> {
    let total = 0;
    while (this.queue.length > 0) {
      const rows = this.queue.splice(0, this.batchSize);
      this.inFlight = rows.length;
      try {
        await this.sink.write(rows);
      } catch (e) {
        this.queue.unshift(...(e instanceof LogWriteError ? e.rows : rows));
        this.failures++;
        const wait = Math.min(this.maxRetryMs, this.flushMs * 2 ** Math.min(this.failures, 20));
        this.retryAt = Date.now() + wait;
        // one warning when the writes start failing, then one per ten attempts: an outage must not flood the log
        if (this.failures % 10 === 1)
          log.warn(
            { err: e, pending: this.queue.length, attempt: this.failures, retryMs: wait },
            'request log write failed; holding the rows and retrying',
          );
        break;
      } finally {
        this.inFlight = 0;
      }
      if (this.failures > 0) log.info({ attempts: this.failures }, 'request log writes resumed');
      this.failures = 0;
      total += rows.length;
      this.written += rows.length;
      this.opts.onWrite?.(rows.length);
    }
    return total;
  }

  /** Stop the timer, write everything still queued (graceful shutdown) and close the sink. */
  close(): Promise<number> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.closed = true;
    let total = await this.flush();
    // one retry for rows a failed write put back
    if (this.queue.length > 0) total += await this.flush();
    if (this.queue.length > 0) {
      log.error({ lost: this.queue.length }, 'request log: rows could not be written at shutdown');
      this.dropped += this.queue.length;
      this.opts.onDrop?.(this.queue.length);
      this.queue = [];
    }
    await this.sink.close();
    return total;
  }
}

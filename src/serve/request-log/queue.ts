import type Database from 'better-sqlite3';
import { log } from '../../util/logger.js';
import type { RequestLogEntry } from './types.js';

export interface RequestLogOptions {
  /** Rows held before new ones are dropped (default 10,000). */
  capacity?: number;
  /** Flush interval in ms (default 100). */
  flushMs?: number;
  /** Rows per transaction (default 1,000). */
  batchSize?: number;
  /** Called with the number of rows dropped because the queue was full. */
  onDrop?: (n: number) => void;
  /** Called with the number of rows committed. */
  onWrite?: (n: number) => void;
}

function blob(a: Float32Array | Int32Array | null): Buffer | null {
  return a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A bounded queue in front of the request_log table. `push` never blocks and never throws: when the queue holds
 * `capacity` rows the new row is dropped and counted, so logging can shed load but requests never wait on it.
 * A timer flushes the queue in transactions of `batchSize` rows (one fsync-free WAL commit each). A failed
 * flush (e.g. the database is locked by another writer) keeps the rows for the next attempt.
 */
export class RequestLogQueue {
  private queue: RequestLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly insert: Database.Statement;
  private readonly writeBatch: (rows: RequestLogEntry[]) => void;
  readonly capacity: number;
  readonly batchSize: number;
  dropped = 0;
  written = 0;

  constructor(
    db: Database.Database,
    private readonly opts: RequestLogOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10_000;
    this.batchSize = opts.batchSize ?? 1000;
    this.insert = db.prepare(
      `INSERT INTO request_log (ts, request_id, item, route, model, version, kind, num_nodes, num_edges,
        num_features, mean_degree, max_degree, sampled, features, node_ids, degrees, predictions, confidence,
        inference_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.writeBatch = db.transaction((rows: RequestLogEntry[]) => {
      for (const r of rows) {
        this.insert.run(
          r.ts,
          r.requestId,
          r.item,
          r.route,
          r.model,
          r.version,
          r.kind,
          r.numNodes,
          r.numEdges,
          r.numFeatures,
          r.meanDegree,
          r.maxDegree,
          r.features ? 1 : 0,
          blob(r.features),
          blob(r.nodeIds),
          blob(r.degrees),
          blob(r.predictions),
          blob(r.confidence),
          r.inferenceMs,
        );
      }
    });
    this.timer = setInterval(() => this.flush(), opts.flushMs ?? 100);
    this.timer.unref();
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Enqueue a row; false (and counted) when the queue is full. */
  push(row: RequestLogEntry): boolean {
    if (this.queue.length >= this.capacity) {
      this.dropped++;
      this.opts.onDrop?.(1);
      return false;
    }
    this.queue.push(row);
    if (this.queue.length >= this.batchSize && !this.immediate) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
    }
    return true;
  }

  /** Write everything queued, batchSize rows per transaction. Returns the rows written. */
  flush(): number {
    let total = 0;
    while (this.queue.length > 0) {
      const rows = this.queue.slice(0, this.batchSize);
      try {
        this.writeBatch(rows);
      } catch (e) {
        log.warn({ err: e, pending: this.queue.length }, 'request log flush failed; will retry');
        break;
      }
      this.queue.splice(0, rows.length);
      total += rows.length;
    }
    if (total > 0) {
      this.written += total;
      this.opts.onWrite?.(total);
    }
    return total;
  }

  /** Stop the timer and write everything still queued (graceful shutdown). */
  close(): number {
    if (this.timer) clearInterval(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    return this.flush();
  }
}

/**
 * Request-log retention cost: `npm run bench -- request-log-retention [--rows 8000] [--keep 2000] [--chunk 500]`.
 *
 * Fills a temp workspace store with `--rows` request-log rows shaped like the common `{x, edge_index}` client's (a 20-node,
 * 300-feature subgraph, features sampled: ~24 KB per row), then prunes to `--keep` rows with RequestLogPruner in
 * `--chunk`-row steps, as the writer thread does. Prints the time of each DELETE (how long one step holds the write
 * lock), the cost of a check that finds nothing to delete (what the writer thread pays after each commit and every 5 s), and the file size
 * before, after pruning and after writing as many rows as were pruned (freed pages are reused: the file stops
 * growing; it only shrinks with VACUUM).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl, type SqliteDb } from '../src/db/index.js';
import { openLogStore } from '../src/monitor/log-store.js';
import { batchInserter } from '../src/request-log/insert.js';
import { countRequestLog } from '../src/request-log/reader.js';
import { DEFAULT_PRUNE_CHUNK_ROWS, RequestLogPruner } from '../src/request-log/retention.js';
import type { RequestLogEntry } from '../src/request-log/types.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

function row(i: number, t0: number): RequestLogEntry {
  const nodes = 20;
  const cols = 300;
  const features = new Float32Array(nodes * cols);
  for (let k = 0; k < features.length; k++) features[k] = Math.sin(i + k);
  return {
    ts: t0 + i,
    requestId: `bench-${i}`,
    item: 0,
    route: '/predict',
    model: 'bench',
    version: '1',
    kind: 'subgraph',
    numNodes: nodes,
    numEdges: 40,
    numFeatures: cols,
    meanDegree: 2,
    maxDegree: 5,
    features,
    nodeIds: null,
    degrees: new Int32Array(nodes).fill(2),
    predictions: new Int32Array(nodes),
    confidence: new Float32Array(nodes).fill(0.9),
    temperature: 1,
    inferenceMs: 0.1,
  };
}

export default async function (args: string[]): Promise<void> {
  const rows = arg(args, 'rows', 8000);
  const keep = arg(args, 'keep', 2000);
  const chunk = arg(args, 'chunk', DEFAULT_PRUNE_CHUNK_ROWS);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-bench-retention-'));
  const store = await openLogStore(parseDatabaseUrl('sqlite:', home));
  const db = store.db as SqliteDb;
  const file = join(home, 'gnnops.db');
  const size = () => {
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(file).size / 2 ** 20;
  };
  try {
    const insert = batchInserter(db.raw, 'bench');
    const fill = (from: number, count: number) => {
      const t = performance.now();
      for (let i = from; i < from + count; i += 1000)
        insert(Array.from({ length: Math.min(1000, from + count - i) }, (_, k) => row(i + k, 0)));
      return performance.now() - t;
    };
    const fillMs = fill(0, rows);
    const before = size();
    const pruner = new RequestLogPruner(store.db, { maxRows: keep, maxAgeMs: 0 }, { chunkRows: chunk });
    const steps: number[] = [];
    let deleted = 0;
    for (;;) {
      const t = performance.now();
      const s = await pruner.step();
      if (s.byRows > 0) steps.push(performance.now() - t);
      deleted += s.byRows;
      if (!s.more) break;
    }
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await pruner.step();
      idle.push(performance.now() - t);
    }
    const afterPrune = size();
    fill(rows, rows - keep); // as many rows as were pruned: they fit in the freed pages
    await pruner.pruneAll();
    const afterRefill = size();
    const n = await countRequestLog(db);
    console.log(
      `request-log retention: ${rows} rows of 20 × 300 sampled features (${fillMs.toFixed(0)} ms to insert), keep ${keep}, chunk ${chunk}`,
    );
    console.log(
      `  DELETE steps: ${steps.length} deleting ${deleted} rows; per step p50 ${q(steps, 0.5).toFixed(1)} ms, max ${Math.max(...steps).toFixed(1)} ms`,
    );
    console.log(
      `  check with nothing to delete: p50 ${(1000 * q(idle, 0.5)).toFixed(0)} µs, max ${(1000 * Math.max(...idle)).toFixed(0)} µs`,
    );
    console.log(
      `  file: ${before.toFixed(0)} MB full, ${afterPrune.toFixed(0)} MB after pruning (pages freed, not returned), ` +
        `${afterRefill.toFixed(0)} MB after writing ${rows - keep} more rows and pruning again; ${n} rows kept`,
    );
  } finally {
    await store.db.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- request-log-store --store-url URL [--rate 2000] [--duration 30] [--sampled 0.1]`: the request
 * log's write path on its own, without HTTP: rows pushed into the server's queue (RequestLogQueue, 10,000 rows, 20 ms
 * flushes, batches of ≤ 1,000) and written by the server's writer thread to the store URL names (sqlite:PATH, or
 * postgres://… — the table is the one the servers share). Rows are the by-node row the server logs for
 * `{"node_ids": [4242]}`, and a share `--sampled` of 20-node subgraph rows with their 20 × 300 float32 features (24 KB),
 * as a server storing sampled inputs logs them. Pushing runs on a timer at `--rate` rows/s (0 = as fast as the queue
 * takes them, to find the ceiling). Prints rows committed per second, rows dropped, the largest backlog, and the
 * process CPU per row (main thread and writer thread together).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../src/db/index.js';
import { openLogStore } from '../src/monitor/log-store.js';
import { RequestLogQueue } from '../src/request-log/queue.js';
import { countRequestLog } from '../src/request-log/reader.js';
import { threadSink } from '../src/request-log/sink.js';
import type { RequestLogEntry } from '../src/request-log/types.js';

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

let seq = 0;
function row(sampled: boolean): RequestLogEntry {
  const n = sampled ? 20 : 1;
  return {
    ts: Date.now(),
    requestId: `bench-${process.pid}-${seq++}`,
    item: 0,
    route: sampled ? '/predict' : '/v1/predict/nodes',
    model: 'fixture',
    version: '1',
    kind: sampled ? 'subgraph' : 'nodes',
    numNodes: n,
    numEdges: sampled ? 80 : 0,
    numFeatures: 300,
    meanDegree: 4,
    maxDegree: 8,
    features: sampled ? new Float32Array(n * 300).fill(0.5) : null,
    nodeIds: sampled ? null : Int32Array.of(4242),
    degrees: new Int32Array(n).fill(4),
    predictions: new Int32Array(n).fill(3),
    confidence: new Float32Array(n).fill(0.4),
    temperature: 1,
    inferenceMs: 0.05,
  };
}

export default async function (args: string[]): Promise<void> {
  const i = args.indexOf('--store-url');
  const url = i >= 0 ? args[i + 1] : 'sqlite:';
  const rate = arg(args, 'rate', 2000);
  const duration = arg(args, 'duration', 30);
  const sampledShare = arg(args, 'sampled', 0.1);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-bench-log-'));
  const target = parseDatabaseUrl(url, home, '--store-url');
  const store = await openLogStore(target);
  const replica = `bench-${process.pid}`;
  let dropped = 0;
  const q = new RequestLogQueue(threadSink(target, { replica, retention: { policy: { maxRows: 0, maxAgeMs: 0 } } }), {
    onDrop: (n) => (dropped += n),
  });
  let pushed = 0;
  let maxPending = 0;
  const perSecond: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastWritten = 0;
  const sampler = setInterval(() => {
    perSecond.push(q.written - lastWritten);
    lastWritten = q.written;
  }, 1000);
  await new Promise<void>((resolve) => {
    // every 5 ms, the rows owed by the clock so far (a late timer catches up), or what the queue has room for
    const timer = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= duration) {
        clearInterval(timer);
        resolve();
        return;
      }
      const n = rate > 0 ? Math.floor(rate * elapsed) - pushed : Math.max(0, q.capacity - q.pending);
      for (let k = 0; k < n; k++) {
        q.push(row(Math.random() < sampledShare));
        pushed++;
      }
      maxPending = Math.max(maxPending, q.pending);
    }, 5);
  });
  const pushSeconds = (performance.now() - t0) / 1000;
  const writtenAtEnd = q.written;
  await q.close();
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const stored = await countRequestLog(store.db, { replica });
  await store.db.close();
  rmSync(home, { recursive: true, force: true });
  const steady = perSecond.slice(2, -1); // leave out the first seconds (thread start, JIT) and the partial last one
  const sorted = [...steady].sort((a, b) => a - b);
  console.log(
    `request log → ${target.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} (${target.display}); ${rate > 0 ? `${rate} rows/s offered` : 'as fast as the queue takes them'} for ${duration} s, ${(sampledShare * 100).toFixed(0)}% of rows with 24 KB of sampled features`,
  );
  console.log(
    `pushed ${pushed}, committed ${writtenAtEnd} while pushing (${(writtenAtEnd / pushSeconds).toFixed(0)} rows/s), ${stored} stored after the drain, ${dropped} dropped; largest backlog ${maxPending} rows`,
  );
  console.log(
    `committed rows per second, steady state: min ${sorted[0] ?? 0}, median ${sorted[Math.floor(sorted.length / 2)] ?? 0}, max ${sorted[sorted.length - 1] ?? 0}; process CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, pushed)).toFixed(3)} ms per row`,
  );
  console.log(
    JSON.stringify({
      store: target.dialect,
      rate,
      duration,
      pushed,
      committed: writtenAtEnd,
      stored,
      dropped,
      maxPending,
      perSecond,
    }),
  );
}

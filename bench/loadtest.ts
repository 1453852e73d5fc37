/**
 * `npm run loadtest`: start the inference server on a free loopback port (its own process, so the load
 * generator does not share its event loop) and drive it with autocannon at 32 connections:
 *   1. POST /v1/predict/nodes with 1 node id;
 *   2. POST /predict with a 20-node, 300-feature subgraph (the common `{x, edge_index}` client);
 *   3. POST /v2/models/{name}/infer with the same subgraph as FP32/INT64 tensors;
 *   4. the same V2 infer with binary tensor data (application/octet-stream: the JSON header, then the raw bytes).
 * Prints requests/s, p50 and p99 per scenario against the targets (≥ 2,000 rps for 1, ≥ 500 rps for 2,
 * p99 < 25 ms). The model is the TEST FIXTURE (one mean-aggregation layer, 300 → 10, in plain TS) until the real
 * GCN loader lands; request logging to SQLite is on (sample rate 1).
 * `--runtime onnx` serves a random-weight GCN 300 → 33 → 10 (the WikiCS paper's width) exported to ONNX and run
 * by onnxruntime-node (1 intra-op thread) instead of the fixture.
 * `--model REF [--home DIR] [--runtime native|onnx]` serves a real registered model instead (`gnnops serve --model REF`
 * in the workspace DIR, default GNNOPS_HOME), e.g. the GCN that `npm start` trained.
 * Options: --duration S (default 10), --connections N (32), --max N requests per scenario (default 200,000),
 * --runtime fixture|onnx, --workers N (server processes, serve.workers; default 1), --sample R (request-log input
 * sample rate, default 1), --max-inputs N (stored inputs per second, serve.log_max_inputs_per_s; 0 = no cap; default
 * the config's 200), --no-log (request logging off), --rate N (offer N requests/s in all instead of as many as the
 * connections can send; latencies then include the wait of requests the server could not take at once),
 * --scenarios 1,2 (a subset), --store-url URL (the request log's store, GNNOPS_DATABASE_URL of the server: sqlite:PATH
 * or postgres://…; repeat it to start one server per store and run every scenario on each, alternated), --rounds N
 * (repeat each scenario N times per store, alternating, default 1). Each row reports the request-log rows the server
 * committed per second during the scenario and the rows it dropped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { binaryInferRequest } from '../src/serve/v2-binary.js';
import { exitOf, spawnServer } from '../test/serve/fixtures/spawn-server.js';
import { fixtureEnv, subgraph, v2Body } from './serve-workload.js';

function opt(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

interface Scenario {
  name: string;
  path: string;
  body: string | Buffer;
  /** Request headers (default: content-type application/json). */
  headers?: Record<string, string>;
  minRps?: number;
}

/** `gnnops serve --model REF` on a free loopback port, as a user would start it. */
function spawnCliServer(
  args: string[],
  ref: string,
  runtime: string,
  extraEnv: Record<string, string> = {},
): Promise<{ proc: ChildProcess; url: string }> {
  const home = args.includes('--home') ? args[args.indexOf('--home') + 1] : process.env.GNNOPS_HOME;
  const serveArgs = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--model', ref, '--port', '0', '--json'];
  if (runtime === 'onnx') serveArgs.push('--runtime', 'onnx');
  serveArgs.push(`serve.workers=${opt(args, 'workers', 1)}`, `serve.log_sample_rate=${opt(args, 'sample', 1)}`);
  if (args.includes('--max-inputs')) serveArgs.push(`serve.log_max_inputs_per_s=${opt(args, 'max-inputs', 0)}`);
  if (args.includes('--no-log')) serveArgs.push('serve.log_requests=false');
  const proc = spawn(process.execPath, serveArgs, {
    env: { ...process.env, ...(home ? { GNNOPS_HOME: home } : {}), ...extraEnv, GNNOPS_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (l) =>
      resolve({ proc, url: (JSON.parse(l) as { url: string }).url }),
    );
    proc.once('exit', (code) => reject(new Error(`gnnops serve exited early with ${code}`)));
  });
}

/** The subgraph as binary tensors: x FP32 [n, F] and edge_index INT64 [2, E] after the JSON header. */
function v2BinaryBody(sg: { x: number[][]; edge_index: [number[], number[]] }): {
  body: Buffer;
  headers: Record<string, string>;
} {
  const E = sg.edge_index[0].length;
  return binaryInferRequest([
    { name: 'x', shape: [sg.x.length, sg.x[0].length], datatype: 'FP32', data: Float32Array.from(sg.x.flat()) },
    {
      name: 'edge_index',
      shape: [2, E],
      datatype: 'INT64',
      data: BigInt64Array.from(sg.edge_index.flat(), (v) => BigInt(v)),
    },
  ]);
}

/** Every value of a repeatable option (`--store-url A --store-url B`). */
function opts(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length - 1; i++) if (args[i] === `--${name}`) out.push(args[i + 1]);
  return out;
}

/** The request-log counters of a server (summed over workers). */
async function logCounters(url: string): Promise<{ written: number; dropped: number; cpu: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    written: m('gnnops_request_log_written_total'),
    dropped: m('gnnops_request_log_dropped_total'),
    cpu: m('process_cpu_seconds_total'),
  };
}

/** A server under test: what it logs to, and how to reach it. */
interface Target {
  label: string;
  url: string;
  proc: ChildProcess;
}

export default async function loadtest(args: string[]): Promise<void> {
  const duration = opt(args, 'duration', 10);
  const connections = opt(args, 'connections', 32);
  const max = opt(args, 'max', 200_000);
  const rate = opt(args, 'rate', 0);
  const rounds = opt(args, 'rounds', 1);
  const runtime = args.includes('--runtime') ? args[args.indexOf('--runtime') + 1] : 'fixture';
  const modelRef = args.includes('--model') ? args[args.indexOf('--model') + 1] : undefined;
  const storeUrls = opts(args, 'store-url');
  const start = async (storeUrl: string | undefined): Promise<Target> => {
    const home = mkdtempSync(join(tmpdir(), 'gnnops-loadtest-'));
    const store: Record<string, string> = storeUrl === undefined ? {} : { GNNOPS_DATABASE_URL: storeUrl };
    const { proc, url } = await (modelRef
      ? spawnCliServer(args, modelRef, runtime, store)
      : spawnServer({
          ...fixtureEnv,
          ...store,
          GNNOPS_HOME: home,
          SERVE_LOG_FLUSH_MS: '100',
          FIXTURE_RUNTIME: runtime,
          SERVE_WORKERS: String(opt(args, 'workers', 1)),
          SERVE_LOG_SAMPLE_RATE: String(opt(args, 'sample', 1)),
          ...(args.includes('--max-inputs') ? { SERVE_LOG_MAX_INPUTS: String(opt(args, 'max-inputs', 0)) } : {}),
          SERVE_LOG_REQUESTS: args.includes('--no-log') ? '0' : '1',
        }));
    const label = storeUrl === undefined ? 'default store' : storeUrl.startsWith('sqlite:') ? 'SQLite' : 'PostgreSQL';
    return { label, url, proc };
  };
  const targets: Target[] = [];
  for (const u of storeUrls.length > 0 ? storeUrls : [undefined]) targets.push(await start(u));
  const modelName = modelRef ? modelRef.split(/[@/]/)[0] : 'fixture';
  const sg = subgraph();
  const all: Scenario[] = [
    {
      name: '/v1/predict/nodes (1 id)',
      path: '/v1/predict/nodes',
      body: JSON.stringify({ node_ids: [4242] }),
      minRps: 2000,
    },
    { name: '/predict (20 nodes × 300 features)', path: '/predict', body: JSON.stringify(sg), minRps: 500 },
    { name: 'V2 infer (same subgraph)', path: `/v2/models/${modelName}/infer`, body: JSON.stringify(v2Body(sg)) },
    { name: 'V2 infer, binary tensors', path: `/v2/models/${modelName}/infer`, ...v2BinaryBody(sg) },
  ];
  const picked = args.includes('--scenarios')
    ? args[args.indexOf('--scenarios') + 1].split(',').map((k) => Number(k))
    : [1, 2, 3, 4];
  const scenarios = picked.map((k) => {
    const sc = all[k - 1];
    if (!sc) throw new Error(`--scenarios: ${k} is not one of 1..${all.length}`);
    return sc;
  });
  const what = modelRef
    ? `registered model ${modelRef} (${runtime === 'onnx' ? 'ONNX Runtime' : 'native engine'})`
    : runtime === 'onnx'
      ? 'random-weight GCN 300→33→10 on ONNX Runtime'
      : 'fixture mean-aggregation model';
  for (const t of targets)
    console.log(
      `server ${t.url} logging to ${t.label} (${what}, ${opt(args, 'workers', 1)} worker(s), ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version})`,
    );
  console.log(
    `autocannon: ${connections} connections, ${rate > 0 ? `${rate} requests/s offered, ` : ''}${duration} s per scenario (≤ ${max} requests), after a 2 s warm-up; ${rounds} round(s), stores alternated`,
  );
  const rows: string[] = [];
  const results: Record<string, unknown>[] = [];
  try {
    for (const s of scenarios) {
      for (let round = 0; round < rounds; round++) {
        for (const t of targets) {
          const base = {
            url: `${t.url}${s.path}`,
            method: 'POST' as const,
            headers: s.headers ?? { 'content-type': 'application/json' },
            body: s.body,
            connections,
            timeout: 10,
            ...(rate > 0 ? { overallRate: rate } : {}),
          };
          await autocannon({ ...base, duration: 2 });
          const before = await logCounters(t.url);
          const client0 = process.cpuUsage();
          const t0 = performance.now();
          const r = await autocannon({ ...base, duration, maxOverallRequests: max });
          const seconds = (performance.now() - t0) / 1000;
          const client = process.cpuUsage(client0);
          const after = await logCounters(t.url);
          // the load generator's own CPU per request: on a 2-core machine it shares the cores with the server
          const clientMs = (client.user + client.system) / 1000 / Math.max(1, r.requests.total);
          // server CPU time per request: robust to other load on the machine (unlike rps and latency)
          const cpuMs = ((after.cpu - before.cpu) * 1000) / Math.max(1, r.requests.total);
          const logRowsPerS = (after.written - before.written) / seconds;
          const dropped = after.dropped - before.dropped;
          const rps = r.requests.average;
          const ok =
            r.errors === 0 && r.non2xx === 0 && r.latency.p99 < 25 && (s.minRps === undefined || rps >= s.minRps);
          const target = `${s.minRps ? `≥ ${s.minRps} rps, ` : ''}p99 < 25 ms`;
          rows.push(
            `${s.name.padEnd(36)} ${t.label.padEnd(10)} ${rps.toFixed(0).padStart(7)} ${r.latency.p50.toFixed(1).padStart(7)} ${r.latency.p99
              .toFixed(1)
              .padStart(7)} ${String(r.non2xx + r.errors).padStart(6)} ${logRowsPerS.toFixed(0).padStart(9)} ${String(
              dropped,
            ).padStart(
              7,
            )} ${cpuMs.toFixed(3).padStart(9)} ${clientMs.toFixed(3).padStart(9)}  ${ok ? 'PASS' : 'FAIL'} (${target})`,
          );
          results.push({
            scenario: s.name,
            store: t.label,
            round: round + 1,
            bytes: s.body.length,
            offered_rps: rate > 0 ? rate : null,
            rps,
            p50_ms: r.latency.p50,
            p99_ms: r.latency.p99,
            total: r.requests.total,
            log_rows_per_s: logRowsPerS,
            log_dropped: dropped,
            server_cpu_ms_per_request: cpuMs,
            client_cpu_ms_per_request: clientMs,
            non2xx: r.non2xx,
            errors: r.errors,
            pass: ok,
          });
        }
      }
    }
    console.log(
      `\n${'scenario'.padEnd(36)} ${'store'.padEnd(10)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)} ${'log rows/s'.padStart(9)} ${'dropped'.padStart(7)} ${'CPU ms/req'.padStart(9)} ${'client ms'.padStart(9)}`,
    );
    for (const r of rows) console.log(r);
    const logs: Record<string, { written: number; dropped: number }> = {};
    for (const t of targets) {
      const c = await logCounters(t.url);
      logs[t.label] = { written: c.written, dropped: c.dropped };
      console.log(`request log (${t.label}): ${c.written} rows written, ${c.dropped} dropped`);
    }
    console.log(JSON.stringify({ runtime, results, requestLog: logs }));
  } finally {
    for (const t of targets) {
      t.proc.kill('SIGTERM');
      await exitOf(t.proc);
    }
  }
}

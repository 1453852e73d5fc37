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
 * the config's 200), --no-log (request logging off).
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

/** process_cpu_seconds_total of the server (summed over workers). */
async function serverCpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** `gnnops serve --model REF` on a free loopback port, as a user would start it. */
function spawnCliServer(args: string[], ref: string, runtime: string): Promise<{ proc: ChildProcess; url: string }> {
  const home = args.includes('--home') ? args[args.indexOf('--home') + 1] : process.env.GNNOPS_HOME;
  const serveArgs = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--model', ref, '--port', '0', '--json'];
  if (runtime === 'onnx') serveArgs.push('--runtime', 'onnx');
  serveArgs.push(`serve.workers=${opt(args, 'workers', 1)}`, `serve.log_sample_rate=${opt(args, 'sample', 1)}`);
  if (args.includes('--max-inputs')) serveArgs.push(`serve.log_max_inputs_per_s=${opt(args, 'max-inputs', 0)}`);
  if (args.includes('--no-log')) serveArgs.push('serve.log_requests=false');
  const proc = spawn(process.execPath, serveArgs, {
    env: { ...process.env, ...(home ? { GNNOPS_HOME: home } : {}), GNNOPS_LOG_LEVEL: 'silent' },
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

export default async function loadtest(args: string[]): Promise<void> {
  const duration = opt(args, 'duration', 10);
  const connections = opt(args, 'connections', 32);
  const max = opt(args, 'max', 200_000);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-loadtest-'));
  const runtime = args.includes('--runtime') ? args[args.indexOf('--runtime') + 1] : 'fixture';
  const modelRef = args.includes('--model') ? args[args.indexOf('--model') + 1] : undefined;
  const { proc, url } = await (modelRef
    ? spawnCliServer(args, modelRef, runtime)
    : spawnServer({
        ...fixtureEnv,
        GNNOPS_HOME: home,
        SERVE_LOG_FLUSH_MS: '100',
        FIXTURE_RUNTIME: runtime,
        SERVE_WORKERS: String(opt(args, 'workers', 1)),
        SERVE_LOG_SAMPLE_RATE: String(opt(args, 'sample', 1)),
        ...(args.includes('--max-inputs') ? { SERVE_LOG_MAX_INPUTS: String(opt(args, 'max-inputs', 0)) } : {}),
        SERVE_LOG_REQUESTS: args.includes('--no-log') ? '0' : '1',
      }));
  const modelName = modelRef ? modelRef.split(/[@/]/)[0] : 'fixture';
  const sg = subgraph();
  const scenarios: Scenario[] = [
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
  const what = modelRef
    ? `registered model ${modelRef} (${runtime === 'onnx' ? 'ONNX Runtime' : 'native engine'})`
    : runtime === 'onnx'
      ? 'random-weight GCN 300→33→10 on ONNX Runtime'
      : 'fixture mean-aggregation model';
  console.log(
    `server ${url} (${what}, ${opt(args, 'workers', 1)} worker(s), ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version})`,
  );
  console.log(
    `autocannon: ${connections} connections, ${duration} s per scenario (≤ ${max} requests), after a 2 s warm-up`,
  );
  const rows: string[] = [];
  const results: Record<string, unknown>[] = [];
  try {
    for (const s of scenarios) {
      const base = {
        url: `${url}${s.path}`,
        method: 'POST' as const,
        headers: s.headers ?? { 'content-type': 'application/json' },
        body: s.body,
        connections,
        timeout: 10,
      };
      await autocannon({ ...base, duration: 2 });
      const cpu0 = await serverCpuSeconds(url);
      const client0 = process.cpuUsage();
      const r = await autocannon({ ...base, duration, maxOverallRequests: max });
      const client = process.cpuUsage(client0);
      // the load generator's own CPU per request: on a 2-core machine it shares the cores with the server
      const clientMs = (client.user + client.system) / 1000 / Math.max(1, r.requests.total);
      // server CPU time per request: robust to other load on the machine (unlike rps and latency)
      const cpuMs = (((await serverCpuSeconds(url)) - cpu0) * 1000) / Math.max(1, r.requests.total);
      const rps = r.requests.average;
      const ok = r.errors === 0 && r.non2xx === 0 && r.latency.p99 < 25 && (s.minRps === undefined || rps >= s.minRps);
      const target = `${s.minRps ? `≥ ${s.minRps} rps, ` : ''}p99 < 25 ms`;
      rows.push(
        `${s.name.padEnd(36)} ${rps.toFixed(0).padStart(7)} ${r.latency.p50.toFixed(1).padStart(7)} ${r.latency.p99
          .toFixed(1)
          .padStart(
            7,
          )} ${String(r.non2xx + r.errors).padStart(6)} ${cpuMs.toFixed(3).padStart(9)} ${clientMs.toFixed(3).padStart(9)}  ${ok ? 'PASS' : 'FAIL'} (${target})`,
      );
      results.push({
        scenario: s.name,
        bytes: s.body.length,
        rps,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        total: r.requests.total,
        server_cpu_ms_per_request: cpuMs,
        client_cpu_ms_per_request: clientMs,
        non2xx: r.non2xx,
        errors: r.errors,
        pass: ok,
      });
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const dropped = /^gnnops_request_log_dropped_total (\S+)/m.exec(metrics)?.[1];
    const written = /^gnnops_request_log_written_total (\S+)/m.exec(metrics)?.[1];
    console.log(
      `\n${'scenario'.padEnd(36)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)} ${'CPU ms/req'.padStart(9)} ${'client ms'.padStart(9)}`,
    );
    for (const r of rows) console.log(r);
    console.log(`\nrequest log: ${written} rows written, ${dropped} dropped`);
    console.log(
      JSON.stringify({ runtime, results, requestLog: { written: Number(written), dropped: Number(dropped) } }),
    );
  } finally {
    proc.kill('SIGTERM');
    await exitOf(proc);
  }
}

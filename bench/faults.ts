/**
 * `npm run bench -- faults`: fault injection against a real server process (the TEST FIXTURE model, 300 → 10, on a
 * WikiCS-sized stored graph, until the real GCN loader lands).
 *   A. 1,000 malformed requests (every bad-input class, then seeded random mutations of valid bodies, raw-text
 *      corruptions, wrong content types, oversize bodies) → count responses ≥ 500 (want 0); health must stay ok.
 *   B. SIGTERM during load (32 keep-alive clients): every request answered 200 must be in the request log.
 *   C. Registry promotions during load: the server follows fixture@production through the real registry; alias
 *      moves (promote, promote, rollback) must cost 0 failed requests.
 *   D. Connection-level shapes on raw sockets (oversized declared / chunked bodies, truncated and half-closed
 *      bodies, content-length shorter than the body, content-length with chunked, bad chunks, unknown Expect,
 *      slow bodies, oversized headers, a non-HTTP request line), each --repeat times: every one must get a complete
 *      4xx response with the server's JSON `{error, code}` body, then the connection must close.
 * Options: --seed N (default 1), --count N (default 1000), --repeat N (default 20), --only A,B,C,D.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from '../src/registry/index.js';
import { openStore } from '../src/track/store.js';
import { mulberry32 } from '../src/util/random.js';
import { exchange, parseResponses } from '../test/serve/fixtures/raw-http.js';
import { exitOf, spawnServer } from '../test/serve/fixtures/spawn-server.js';
import { F, fixtureEnv, subgraph, v2Body } from './serve-workload.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Req {
  kind: string;
  path: string;
  body: string | Uint8Array;
  contentType?: string;
}

const rng = mulberry32;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** One request per bad-input class of the serving API (the same classes the unit tests cover, at F = 300). */
function classCases(): Req[] {
  const sg = subgraph(4);
  const j = (kind: string, body: unknown, path = '/predict'): Req => ({ kind, path, body: JSON.stringify(body) });
  const row = sg.x[0];
  return [
    j('ragged x', { ...sg, x: [row, row.slice(1)] }),
    j('wrong feature dimension', { ...sg, x: sg.x.map((r) => r.slice(0, 299)) }),
    { kind: 'NaN literal', path: '/predict', body: JSON.stringify(sg).replace(/^(\{"x":\[\[)[^,]+/, '$1NaN') },
    {
      kind: 'Infinity literal',
      path: '/predict',
      body: JSON.stringify(sg).replace(/^(\{"x":\[\[)[^,]+/, '$1-Infinity'),
    },
    { kind: '1e999', path: '/predict', body: JSON.stringify(sg).replace(/^(\{"x":\[\[)[^,]+/, '$11e999') },
    j('"NaN" string', { ...sg, x: [[...row.slice(0, F - 1), 'NaN']] }),
    j('null feature', { ...sg, x: [[null, ...row.slice(1)]] }),
    j('edge out of range', { ...sg, edge_index: [[0], [4]] }),
    j('negative edge', { ...sg, edge_index: [[-1], [0]] }),
    j('non-integer edge', { ...sg, edge_index: [[0.5], [0]] }),
    j('edge_index 1 × E', { ...sg, edge_index: [[0, 1]] }),
    j('edge_index 3 × E', { ...sg, edge_index: [[0], [1], [2]] }),
    j('ragged edge_index', { ...sg, edge_index: [[0, 1], [1]] }),
    j('empty graph', { x: [], edge_index: [[], []] }),
    j('missing x', { edge_index: [[], []] }),
    j('unknown node id', { node_ids: [11701] }, '/v1/predict/nodes'),
    j('negative node id', { node_ids: [-3] }, '/v1/predict/nodes'),
    j('empty node ids', { node_ids: [] }, '/v1/predict/nodes'),
    { kind: 'wrong content type', path: '/predict', body: JSON.stringify(sg), contentType: 'text/plain' },
    { kind: 'no content type', path: '/predict', body: new TextEncoder().encode(JSON.stringify(sg)) },
    { kind: 'malformed JSON', path: '/predict', body: JSON.stringify(sg).slice(0, -3) },
    {
      kind: 'too large body',
      path: '/predict',
      body: `{"x": [${'[0],'.repeat(5_000_000)}[0]], "edge_index": [[],[]]}`,
    },
    j('too many nodes', { x: Array.from({ length: 10_001 }, () => [0]), edge_index: [[], []] }),
    j('batch too large', { instances: Array.from({ length: 65 }, () => sg) }),
    j(
      'V2 wrong datatype',
      { inputs: [{ name: 'x', shape: [1, F], datatype: 'BYTES', data: row }] },
      '/v2/models/fixture/infer',
    ),
    j(
      'V2 shape/data mismatch',
      { inputs: [{ name: 'x', shape: [2, F], datatype: 'FP32', data: row }] },
      '/v2/models/fixture/infer',
    ),
    j('V2 unknown model', v2Body(sg), '/v2/models/nope/infer'),
  ];
}

/** Random corruptions of valid bodies, structural (on the parsed value) and textual (on the JSON text). */
function mutations(count: number, seed: number): Req[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const sg = subgraph(6) as unknown as { [k: string]: Json };
  const bases: { path: string; body: { [k: string]: Json } }[] = [
    { path: '/predict', body: sg },
    { path: '/predict', body: { instances: [sg, sg] } },
    { path: '/v1/predict/nodes', body: { node_ids: [1, 2, 3] } },
    { path: '/v2/models/fixture/infer', body: v2Body(subgraph(6)) as { [k: string]: Json } },
    {
      path: '/v2/models/fixture/infer',
      body: { inputs: [{ name: 'node_ids', shape: [2], datatype: 'INT64', data: [5, 6] }] },
    },
  ];
  const weird: Json[] = [
    null,
    true,
    'NaN',
    '1',
    {},
    [],
    [[]],
    -1,
    1.5,
    2 ** 31,
    -(2 ** 53),
    1e300,
    '',
    'x'.repeat(100),
  ];
  /** A random container path in the value and mutate it. */
  const mutate = (v: Json, depth = 0): Json => {
    if (Array.isArray(v) && v.length > 0 && r() < 0.75 && depth < 6) {
      const i = Math.floor(r() * v.length);
      const op = r();
      if (op < 0.1) return v.slice(0, i); // truncate
      if (op < 0.2) return [...v, pick(weird)]; // extend
      const out = v.slice();
      out[i] = mutate(v[i], depth + 1);
      return out;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && r() < 0.8 && depth < 6) {
      const keys = Object.keys(v);
      if (keys.length === 0) return pick(weird);
      const k = pick(keys);
      const out = { ...v };
      if (r() < 0.15) delete out[k];
      else out[k] = mutate(v[k], depth + 1);
      return out;
    }
    return pick(weird);
  };
  const out: Req[] = [];
  for (let n = 0; n < count; n++) {
    const base = pick(bases);
    const kind = r();
    if (kind < 0.6) {
      let v: Json = clone(base.body);
      for (let m = 0, times = 1 + Math.floor(r() * 3); m < times; m++) v = mutate(v);
      out.push({ kind: 'structural mutation', path: base.path, body: JSON.stringify(v) });
    } else if (kind < 0.85) {
      const text = JSON.stringify(base.body);
      const at = Math.floor(r() * text.length);
      const t = r();
      const body =
        t < 0.3
          ? text.slice(0, at)
          : t < 0.6
            ? text.slice(0, at) +
              pick(['"', ']', '}', ',', 'NaN', 'Infinity', '\\u00', '\u0000', '{"__proto__":{}}']) +
              text.slice(at)
            : t < 0.8
              ? text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 20))
              : text.replace(/\d/, pick(['-', 'e', '.', 'x']));
      out.push({ kind: 'text mutation', path: base.path, body });
    } else if (kind < 0.95) {
      const bytes = new TextEncoder().encode(JSON.stringify(base.body));
      for (let k = 0; k < 5; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      out.push({ kind: 'byte corruption', path: base.path, body: bytes, contentType: 'application/json' });
    } else {
      out.push({
        kind: 'content type',
        path: base.path,
        body: JSON.stringify(base.body),
        contentType: pick([
          'text/plain',
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/jsonx',
          '',
        ]),
      });
    }
  }
  return out;
}

async function send(url: string, q: Req): Promise<number> {
  const headers: Record<string, string> = {};
  if (q.contentType !== undefined) headers['content-type'] = q.contentType;
  else if (typeof q.body === 'string') headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${url}${q.path}`, { method: 'POST', headers, body: q.body });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection closed by the server (e.g. after a 413 on a huge body)
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const [live, ready] = await Promise.all([fetch(`${url}/v2/health/live`), fetch(`${url}/v2/health/ready`)]);
    return live.status === 200 && ready.status === 200;
  } catch {
    return false;
  }
}

async function malformed(count: number, seed: number): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-faults-'));
  const { proc, url } = await spawnServer({ ...fixtureEnv, GNNOPS_HOME: home, SERVE_LOG_FLUSH_MS: '100' });
  const classes = classCases();
  const reqs = [...classes, ...mutations(count - classes.length, seed)];
  const byStatus = new Map<number, number>();
  const fivexx: string[] = [];
  const noAnswer: string[] = [];
  let unhealthy = 0;
  try {
    for (let i = 0; i < reqs.length; i += 16) {
      const batch = reqs.slice(i, i + 16);
      const statuses = await Promise.all(batch.map((q) => send(url, q)));
      statuses.forEach((s, k) => {
        byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
        if (s >= 500) fivexx.push(`${s} ${batch[k].kind} ${batch[k].path}`);
        if (s === 0) noAnswer.push(`${batch[k].kind} ${batch[k].path}`);
      });
      if (i % 160 === 0 && !(await healthy(url))) unhealthy++;
    }
    const finalHealth = await healthy(url);
    const statusTable = Object.fromEntries([...byStatus.entries()].sort((a, b) => a[0] - b[0]));
    console.log(`A. ${reqs.length} malformed requests (${classes.length} classes + mutations, seed ${seed})`);
    console.log(`   status counts: ${JSON.stringify(statusTable)}`);
    console.log(`   responses ≥ 500: ${fivexx.length}${fivexx.length ? ` (${fivexx.slice(0, 5).join('; ')})` : ''}`);
    console.log(
      `   no HTTP response (status 0): ${byStatus.get(0) ?? 0}${noAnswer.length ? ` (${noAnswer.slice(0, 5).join('; ')})` : ''}`,
    );
    console.log(`   health checks failed during the run: ${unhealthy}; healthy at the end: ${finalHealth}`);
    return {
      requests: reqs.length,
      statuses: statusTable,
      fivexx: fivexx.length,
      noAnswer: noAnswer.length,
      unhealthy,
      finalHealth,
    };
  } finally {
    proc.kill('SIGTERM');
    await exitOf(proc);
  }
}

/** 32 keep-alive clients posting /predict until stopped; collects the request ids answered 200. */
function loadClients(url: string, body: string, until: () => boolean) {
  const ok: string[] = [];
  const versions = new Set<string>();
  const failures: string[] = [];
  let refused = 0;
  const loop = async () => {
    while (!until()) {
      try {
        const r = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const b = (await r.json()) as { version?: string; error?: string };
        if (r.status === 200) {
          ok.push(r.headers.get('x-request-id') ?? '');
          if (b.version) versions.add(b.version);
        } else failures.push(`${r.status} ${b.error}`);
      } catch {
        refused++;
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: 32 }, loop));
  return { ok, versions, failures, done, refused: () => refused };
}

async function sigtermDuringLoad(): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-faults-'));
  const { proc, url } = await spawnServer({ ...fixtureEnv, GNNOPS_HOME: home, SERVE_LOG_FLUSH_MS: '100' });
  const code = exitOf(proc);
  let killed = false;
  const load = loadClients(url, JSON.stringify(subgraph()), () => false);
  await new Promise((r) => setTimeout(r, 1500));
  proc.kill('SIGTERM');
  killed = true;
  await load.done;
  const exit = await code;
  const db = new Database(join(home, 'gnnops.db'), { readonly: true });
  const logged = new Set(
    db
      .prepare<[], { request_id: string }>('SELECT request_id FROM request_log')
      .all()
      .map((r) => r.request_id),
  );
  await db.close();
  const lost = load.ok.filter((id) => !logged.has(id)).length;
  const rejected503 = load.failures.filter((f) => f.startsWith('503')).length;
  const otherFailures = load.failures.length - rejected503;
  console.log(
    `B. SIGTERM after 1.5 s of load (32 clients): ${load.ok.length} answered 200, ${logged.size} rows logged,`,
  );
  console.log(
    `   lost: ${lost}; after SIGTERM: ${rejected503} answered 503 (closing), ${load.refused()} clients found the port closed; other failures: ${otherFailures}; exit code ${exit}`,
  );
  return { killed, answered: load.ok.length, logged: logged.size, lost, rejected503, otherFailures, exit };
}

async function promotionDuringLoad(): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-faults-'));
  const store = await openStore({ home, recover: false });
  const reg = new Registry(store);
  for (let v = 1; v <= 3; v++) {
    await reg.registerVersion({
      model: 'fixture',
      checkpoint: new Uint8Array([v, 1, 2, 3]),
      metrics: { val_acc: 0.7 + v / 100 },
    });
  }
  await reg.promote('fixture', 1, 'production', { skipHooks: true, reason: 'faults bench' });
  const { proc, url } = await spawnServer({
    ...fixtureEnv,
    GNNOPS_HOME: home,
    SERVE_SOURCE: 'fixture@production',
    SERVE_POLL_S: '0.05',
    SERVE_LOG_FLUSH_MS: '100',
  });
  let stop = false;
  const load = loadClients(url, JSON.stringify(subgraph()), () => stop);
  const moves: string[] = [];
  try {
    for (const step of ['promote 2', 'promote 3', 'rollback']) {
      await new Promise((r) => setTimeout(r, 1000));
      if (step === 'rollback') await reg.rollback('fixture', 'production', { skipHooks: true });
      else await reg.promote('fixture', Number(step.split(' ')[1]), 'production', { skipHooks: true });
      moves.push(step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    stop = true;
    await load.done;
    proc.kill('SIGTERM');
    await exitOf(proc);
    await store.close();
  }
  const versions = [...load.versions].sort();
  console.log(
    `C. ${moves.length} alias moves during load (${moves.join(', ')}): ${load.ok.length} answered 200, ` +
      `failed: ${load.failures.length + load.refused()}, versions served: ${versions.join(', ')}`,
  );
  return { moves, answered: load.ok.length, failed: load.failures.length + load.refused(), versions };
}

/** The connection-level shapes: bytes to send, whether to half-close after them, the status wanted. */
function connectionShapes(): { kind: string; parts: (string | Uint8Array)[]; end?: boolean; status: number }[] {
  const head = (h: string) => `POST /predict HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n${h}\r\n`;
  const body = JSON.stringify(subgraph(4));
  const mb = 'x'.repeat(1 << 20);
  const over = Array.from({ length: 17 }, () => mb); // 17 MB > serve.body_limit (16 MB)
  const chunk = `${mb.length.toString(16)}\r\n${mb}\r\n`;
  return [
    {
      kind: 'declared content-length over the limit',
      parts: [head(`Content-Length: ${17 << 20}\r\n`), ...over],
      status: 413,
    },
    {
      kind: 'chunked body over the limit',
      parts: [head('Transfer-Encoding: chunked\r\n'), ...over.map(() => chunk)],
      status: 413,
    },
    { kind: 'truncated body, client ends', parts: [head('Content-Length: 100000\r\n'), body], end: true, status: 400 },
    {
      kind: 'truncated chunked body, client ends',
      parts: [head('Transfer-Encoding: chunked\r\n'), '5\r\n{"x":\r\n'],
      end: true,
      status: 400,
    },
    { kind: 'content-length shorter than the body', parts: [head('Content-Length: 10\r\n'), body], status: 400 },
    {
      kind: 'content-length shorter, valid cut',
      parts: [head(`Content-Length: ${body.length}\r\n`), `${body}, 1]`],
      status: 400,
    },
    {
      kind: 'content-length and chunked',
      parts: [head('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n'), '0\r\n\r\n'],
      status: 400,
    },
    { kind: 'malformed chunk size', parts: [head('Transfer-Encoding: chunked\r\n'), 'zz\r\n'], status: 400 },
    { kind: 'unknown Expect', parts: [head(`Expect: bench\r\nContent-Length: ${body.length}\r\n`)], status: 417 },
    { kind: 'slow body', parts: [head(`Content-Length: ${body.length}\r\n`), body.slice(0, 10)], status: 408 },
    {
      kind: 'headers over 16 KB',
      parts: [head(`X-Pad: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n`), '{}'],
      status: 431,
    },
    { kind: 'not an HTTP request line', parts: ['GARBAGE\r\n\r\n'], status: 400 },
  ];
}

async function connectionLevel(repeat: number): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-faults-'));
  const timeoutS = 5;
  const { proc, url } = await spawnServer({
    ...fixtureEnv,
    GNNOPS_HOME: home,
    SERVE_LOG_REQUESTS: '0',
    SERVE_REQUEST_TIMEOUT_S: String(timeoutS),
  });
  const port = Number(new URL(url).port);
  const rows: Record<string, { answered: number; wrong: number; none: number; statuses: number[] }> = {};
  try {
    for (const shape of connectionShapes()) {
      const row = { answered: 0, wrong: 0, none: 0, statuses: [] as number[] };
      const results = await Promise.all(
        Array.from({ length: repeat }, async () => {
          try {
            const { raw } = await exchange(
              port,
              shape.parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p))),
              {
                end: shape.end,
                waitMs: (timeoutS + 5) * 1000,
              },
            );
            const responses = parseResponses(raw);
            const last = responses[responses.length - 1];
            if (!last) return { status: 0, ok: false };
            const ok =
              last.status === shape.status && typeof last.body.error === 'string' && typeof last.body.code === 'string';
            return { status: last.status, ok };
          } catch {
            return { status: 0, ok: false }; // no complete response, or the connection stayed open
          }
        }),
      );
      for (const r of results) {
        if (r.status === 0) row.none++;
        else if (r.ok) row.answered++;
        else row.wrong++;
        if (!row.statuses.includes(r.status)) row.statuses.push(r.status);
      }
      rows[shape.kind] = row;
    }
    const health = await healthy(url);
    const total = Object.values(rows).reduce((a, r) => a + r.answered + r.wrong + r.none, 0);
    const none = Object.values(rows).reduce((a, r) => a + r.none, 0);
    const wrong = Object.values(rows).reduce((a, r) => a + r.wrong, 0);
    console.log(
      `D. ${total} connection-level requests (${Object.keys(rows).length} shapes × ${repeat}, request timeout ${timeoutS} s)`,
    );
    for (const [k, r] of Object.entries(rows)) {
      console.log(
        `   ${k}: ${r.answered} answered as expected, ${r.wrong} other status or body, ${r.none} no response (statuses ${r.statuses.join(', ')})`,
      );
    }
    console.log(`   no response: ${none}; unexpected status or body: ${wrong}; healthy at the end: ${health}`);
    return { requests: total, none, wrong, health, shapes: rows };
  } finally {
    proc.kill('SIGTERM');
    await exitOf(proc);
  }
}

export { classCases, connectionShapes, mutations };

export default async function faults(args: string[]): Promise<void> {
  const arg = (n: string, d: number) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['A', 'B', 'C', 'D'];
  const out: Record<string, unknown> = {};
  if (only.includes('A')) out.malformed = await malformed(arg('count', 1000), arg('seed', 1));
  if (only.includes('B')) out.sigterm = await sigtermDuringLoad();
  if (only.includes('C')) out.promotion = await promotionDuringLoad();
  if (only.includes('D')) out.connection = await connectionLevel(arg('repeat', 20));
  console.log(JSON.stringify(out));
}

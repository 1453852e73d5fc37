/**
 * The served OOD score end to end: a version registered by training carries the OOD reference of each kind of
 * request; the server logs the score it served per node; the drift report (CLI --json, human, HTML) and
 * GET /v1/drift compare the window's scores with that reference. Fixture: the synthetic WikiCS-format generator
 * (`data synth`: 300 nodes, 20 features; NOT a real dataset), a GCN trained 25 epochs on it and registered.
 * "Shifted" traffic is the same ego subgraphs with every feature moved by 2 reference standard deviations. The
 * window's label-free accuracy estimate is marked unreliable where the scores drift.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { GraphData } from '../../src/data/graph.js';
import { loadDataset } from '../../src/data/load.js';
import { writeSynthetic } from '../../src/data/synth.js';
import { parseDatabaseUrl } from '../../src/db/index.js';
import { type RunningServer, startServer } from '../../src/jobs/serve-server.js';
import { runTraining } from '../../src/jobs/train-and-register.js';
import type { DriftSummary, OodReport } from '../../src/monitor/drift-report.js';
import type { VersionEstimate } from '../../src/monitor/estimate.js';
import { openLogStore } from '../../src/monitor/log-store.js';
import { graphOodScores, oodScores } from '../../src/monitor/ood.js';
import type { ReferenceProfile } from '../../src/monitor/profile.js';
import { parseProfile } from '../../src/monitor/profile-io.js';
import { makeRequestSampler } from '../../src/monitor/simulate.js';
import { registeredTemperature } from '../../src/registry/calibration.js';
import { Registry } from '../../src/registry/index.js';
import { readRequestLog } from '../../src/request-log/reader.js';
import type { ServedModel } from '../../src/serve/model.js';
import { loadPredictor, type Predictor } from '../../src/serve/native/predictor.js';
import { openStore } from '../../src/track/index.js';
import { tempHome } from '../serve/helpers.js';

const N = 300;

describe('OOD scores: registered reference, request log, drift report and GET /v1/drift', { timeout: 240_000 }, () => {
  let home: string;
  let graph: GraphData;
  let modelName: string;
  let profile: ReferenceProfile;
  let checkpoint: string;
  let server: RunningServer;

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as { ood_score?: number[]; predictions?: { ood_score?: number }[] };
  };
  const flushed = async (rows: number) => {
    for (let i = 0; i < 200 && (server.requestLog?.written ?? 0) < rows; i++)
      await new Promise((r) => setTimeout(r, 25));
    assert.equal(server.requestLog?.written, rows);
  };
  let sent = 0;
  const sendSubgraphs = async (shift: number, n: number, seed: number) => {
    const next = makeRequestSampler(graph, { shift, seed });
    for (let i = 0; i < n; i++) {
      const { root: _r, nodes: _n, ...body } = next();
      await post('/predict', { ...body, ood_score: true });
    }
    sent += n;
    await flushed(sent);
  };

  before(async () => {
    home = tempHome();
    const file = join(home, 'syn', 'synth-wikics.json');
    writeSynthetic(file, { nodes: N, features: 20, seed: 5, splits: 1 });
    const config = resolveConfig({
      overrides: [`data.file=${file}`, 'train.splits=1', 'train.epochs=25', 'train.threads=1'],
    });
    graph = await loadDataset(config.data, { progress: false });
    const r = await runTraining({ config, data: graph, runName: 'ood' });
    modelName = r.model_name;
    const store = await openStore({ home, recover: false });
    try {
      const v = await new Registry(store).resolve(`${modelName}@production`);
      checkpoint = v.checkpointPath;
      assert.ok(v.referenceProfileDigest);
      profile = parseProfile(store.cas.read(v.referenceProfileDigest).toString('utf8'));
    } finally {
      await store.close();
    }
    const loader = async (ref: string): Promise<ServedModel> => {
      const s = await openStore({ home, recover: false });
      try {
        const v = await new Registry(s).resolve(ref);
        return loadPredictor(v.checkpointPath, graph, {
          name: v.model,
          version: String(v.version),
          temperature: registeredTemperature(v) ?? 1,
        });
      } finally {
        await s.close();
      }
    };
    server = await startServer({
      home,
      config: { port: 0, host: '127.0.0.1', model: `${modelName}@production`, log_sample_rate: 1, log_flush_ms: 10 },
      loader,
      dashboard: { home, loadGraph: async () => graph },
      handleSignals: false,
    });
  });

  after(async () => {
    await server?.close();
  });

  it('registration stores both references: every node over the whole graph, and 500 request-shaped subgraphs', async () => {
    const m = loadPredictor(checkpoint, graph) as Predictor;
    const all = Int32Array.from({ length: N }, (_, i) => i);
    const want = graphOodScores(await m.logitsNodes(all), N, graph.numClasses, graph.indptr, graph.indices);
    const nodes = profile.ood?.nodes;
    assert.ok(nodes, 'node-query reference');
    assert.equal(nodes.n, N);
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(near(nodes.mean, mean(want)), `${nodes.mean} vs ${mean(want)}`);
    assert.ok(near(nodes.min, Math.min(...want)) && near(nodes.max, Math.max(...want)));
    // the subgraph reference: the mean score of each clean request drift simulate's sampler sends with the seed the
    // structure reference uses (the same roots), scored as the server scores /predict
    const next = makeRequestSampler(graph, { seed: 12345 });
    const perRequest: number[] = [];
    for (let i = 0; i < 500; i++) {
      const q = next();
      const src = Int32Array.from(q.edge_index[0]);
      const dst = Int32Array.from(q.edge_index[1]);
      const z = m.logitsSubgraph(Float32Array.from(q.x.flat()), q.x.length, src, dst);
      perRequest.push(mean(oodScores(z, graph.numClasses, src, dst)));
    }
    m.close?.();
    const sub = profile.ood?.subgraph;
    assert.ok(sub, 'subgraph-request reference');
    assert.equal(sub.n, 500);
    assert.ok(Math.abs(sub.mean - mean(perRequest)) < 1e-6, `${sub.mean} vs ${mean(perRequest)}`);
    assert.ok(Math.abs(sub.min - Math.min(...perRequest)) < 1e-6);
  });

  it('the request log keeps the score served for each node, and null when none was asked for', async () => {
    const next = makeRequestSampler(graph, { seed: 1 });
    const { root: _r, nodes: _n, ...body } = next();
    const scored = await post('/predict', { ...body, ood_score: true });
    await post('/predict', body);
    const ids = [3, 1, 4, 1, 5];
    const byNode = await post('/v1/predict/nodes', { node_ids: ids, ood_score: true });
    sent += 3;
    await flushed(sent);
    const log = await openLogStore(parseDatabaseUrl('sqlite:', home));
    try {
      const rows = await readRequestLog(log.db, { last: 3 });
      assert.deepEqual(
        Array.from(rows[0].oodScore ?? []),
        (scored.ood_score ?? []).map((v) => Math.fround(v)),
      );
      assert.equal(rows[0].oodScore?.length, body.x.length);
      assert.equal(rows[1].oodScore, null);
      assert.equal(rows[2].kind, 'nodes');
      assert.deepEqual(
        Array.from(rows[2].oodScore ?? []),
        (byNode.predictions ?? []).map((p) => Math.fround(p.ood_score ?? Number.NaN)),
      );
    } finally {
      await log.db.close();
    }
  });

  it('clean traffic matches both references; 2-std shifted subgraphs drift, in the CLI report, its HTML and GET /v1/drift', async () => {
    // every node once as a node query: the same scores the node-query reference holds
    await post('/v1/predict/nodes', { node_ids: Array.from({ length: N }, (_, i) => i), ood_score: true });
    sent += 1;
    await sendSubgraphs(0, 120, 11);
    const clean = cli('drift', 'report', '--model', modelName, '--window', String(sent), '--json');
    assert.equal(clean.status, 0, clean.stderr);
    const cj = JSON.parse(clean.stdout) as {
      ood: OodReport[];
      summary: DriftSummary;
      accuracyEstimate: VersionEstimate[];
    };
    const kind = (k: string) => cj.ood.find((o) => o.kind === k);
    const nodes = kind('nodes');
    const sub = kind('subgraph');
    assert.ok(nodes?.drift && sub?.drift, clean.stdout.slice(0, 400));
    assert.equal(nodes.current.n, N + 5);
    assert.equal(sub.current.n, 121, 'one mean per scored subgraph request');
    assert.equal(nodes.drift.drifted, false, `node queries: ${nodes.drift.test} ${nodes.drift.score}`);
    assert.equal(sub.drift.drifted, false, `clean subgraphs: ${sub.drift.test} ${sub.drift.score}`);
    assert.ok(sub.aboveRefP95 !== null && sub.aboveRefP95 < 0.15, `above p95: ${sub.aboveRefP95}`);
    assert.ok(sub.belowRefP5 !== null && sub.belowRefP5 < 0.15, `below p5: ${sub.belowRefP5}`);
    assert.equal(cj.summary.ood.map((o) => [o.kind, o.drifted]).join(' '), 'nodes,false subgraph,false');
    const api = (await (await fetch(`${server.url}/v1/drift`)).json()) as DriftSummary;
    assert.deepEqual(
      api.ood.map((o) => [o.kind, o.n, o.drifted]),
      [
        ['nodes', N + 5, false],
        ['subgraph', sub.current.n, false],
      ],
    );

    await sendSubgraphs(2, 120, 12);
    const html = join(home, 'report.html');
    const shifted = cli('drift', 'report', '--model', modelName, '--window', '120', '--out', html);
    assert.equal(shifted.status, 0, shifted.stderr);
    assert.match(shifted.stdout, /OOD score drift, subgraph requests: YES \(/);
    assert.doesNotMatch(shifted.stdout, /OOD score.*node queries/, 'the last 120 rows hold no node query');
    // and the estimate of the shifted window says it does not follow the accuracy there
    assert.match(shifted.stdout, /note: the served OOD scores drift from the reference's for subgraph requests \(ks /);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<h2>Out-of-distribution scores<\/h2>/);
    assert.match(page, /<h3>Subgraph requests <span class="badge bad">drift<\/span><\/h3>/);
    const later = (await (await fetch(`${server.url}/v1/drift`)).json()) as DriftSummary;
    const s2 = later.ood.find((o) => o.kind === 'subgraph');
    assert.equal(s2?.drifted, true, JSON.stringify(s2));
  });
});

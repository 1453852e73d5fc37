/**
 * Dashboard API through `inject`: registry reads and admin-only alias changes, runs and metric curves, graph
 * neighbourhoods/search/projection and drift on a small generated graph, and the web-app fallback.
 * Fixtures: a 60-node graph from the synthetic WikiCS generator (NOT a real dataset) served by the
 * mean-aggregation fixture model (test/serve/fixtures/mean-model.ts), so predictions are checkable by hand.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { wikicsFromJson } from '../../../src/data/datasets/wikics.js';
import type { GraphData } from '../../../src/data/graph.js';
import { generateSynthetic } from '../../../src/data/synth.js';
import type { ServeApp } from '../../../src/jobs/serve-app.js';
import { classificationReport } from '../../../src/monitor/classification.js';
import { confusionChartSvg, reliabilityDiagramSvg } from '../../../src/monitor/classification-charts.js';
import { Registry } from '../../../src/registry/index.js';
import { dashboardPlugin } from '../../../src/serve/dashboard/index.js';
import { makeErrorHandler, notFoundHandler } from '../../../src/serve/errors.js';
import { openStore, Tracker } from '../../../src/track/index.js';
import { meanModel } from '../fixtures/mean-model.js';
import { tempHome, tinyApp } from '../helpers.js';

const KEY = 'secret-key';

describe('dashboard API (inject)', () => {
  let home: string;
  let graph: GraphData;
  let s: ServeApp;
  let dash: FastifyInstance;
  let runId: string;

  before(async () => {
    home = tempHome();
    graph = wikicsFromJson(generateSynthetic({ nodes: 60, features: 4, seed: 3, splits: 2 }), { source: 'synthetic' });
    graph.titles = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `Alpha ${i}` : `Beta ${i}`));
    const model = meanModel({
      name: 'dash',
      version: '1',
      numFeatures: graph.numFeatures,
      numClasses: graph.numClasses,
      graph: {
        numNodes: 60,
        features: graph.features,
        indptr: graph.indptr,
        indices: graph.indices,
        titles: graph.titles,
      },
    });
    s = await tinyApp({ model, apiKey: KEY });

    const store = await openStore({ home });
    const run = await new Tracker(store).startRun({ name: 'r1', git: null, params: { 'model.hidden': 16 } });
    runId = run.id;
    run.logMetrics({ 'split0/train_loss': 2.0, 'split0/val_acc': 0.25, test_acc_mean: 0.5 }, 0);
    run.logMetrics({ 'split0/train_loss': 1.5, 'split0/val_acc': Number.NaN }, 1);
    await run.end('finished');
    const reg = new Registry(store);
    await reg.registerVersion({ model: 'dash-reg', checkpoint: Buffer.from('one'), metrics: { val_acc_mean: 0.4 } });
    await reg.registerVersion({ model: 'dash-reg', checkpoint: Buffer.from('two'), metrics: { val_acc_mean: 0.5 } });
    await reg.promote('dash-reg', 1, 'production', { reason: 'first', skipHooks: true });
    await store.close();

    // The dashboard on its own instance, with the graph injected (the served fixture is not a registry version).
    dash = Fastify();
    dash.setErrorHandler(makeErrorHandler(1 << 20));
    dash.setNotFoundHandler(notFoundHandler);
    await dash.register(dashboardPlugin, {
      ctx: s.ctx,
      home,
      loadGraph: async () => graph,
      webRoot: join(home, 'no-web'),
    });
  });

  after(async () => {
    await dash.close();
    await s.app.close();
  });

  it('lists runs with run-level metrics and serves curves by step (NaN as null)', async () => {
    const r = await dash.inject('/api/runs');
    assert.equal(r.statusCode, 200);
    const b = r.json();
    assert.equal(b.runs.length, 1);
    assert.deepEqual(b.runs[0].metrics, { test_acc_mean: 0.5 });
    const d = (await dash.inject(`/api/runs/${runId}`)).json();
    assert.equal(d.params['model.hidden'], '16');
    assert.deepEqual(d.metric_keys, ['split0/train_loss', 'split0/val_acc', 'test_acc_mean']);
    const m = (await dash.inject(`/api/runs/${runId}/metrics?keys=split0/train_loss,split0/val_acc`)).json();
    assert.deepEqual(m.series['split0/train_loss'], [
      { step: 0, value: 2 },
      { step: 1, value: 1.5 },
    ]);
    assert.deepEqual(m.series['split0/val_acc'], [
      { step: 0, value: 0.25 },
      { step: 1, value: null },
    ]);
    assert.equal((await dash.inject('/api/runs/nope-nope')).statusCode, 404);
  });

  it('a run’s classification report and its charts; 404 for a run that logged none', async () => {
    const none = await dash.inject(`/api/runs/${runId}/classification`);
    assert.equal(none.statusCode, 404);
    assert.match(none.json().error, /recorded no classification report \(classification\.json\)/);
    // what a training run logs: the report of a 3-class hand-made case and its two charts
    const report = classificationReport(
      { logits: [3, 1, 0, 0, 2, 1, 0, 5, 1, 1, 0, 2], labels: [0, 1, 2, 2], numClasses: 3 },
      { logits: [2, 0, 0, 0, 2, 0], labels: [0, 1], numClasses: 3 },
      { classNames: ['a', 'b', 'c'] },
    );
    const store = await openStore({ home });
    const run = await new Tracker(store).startRun({ name: 'r2', git: null });
    await run.logArtifact('classification.json', Buffer.from(JSON.stringify(report)), 'report');
    await run.logArtifact('reliability.svg', Buffer.from(reliabilityDiagramSvg(report)), 'chart');
    await run.logArtifact('confusion.svg', Buffer.from(confusionChartSvg(report)), 'chart');
    await run.end('finished');
    await store.close();
    const r = await dash.inject(`/api/runs/${run.id}/classification`);
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.artifact, 'classification.json');
    for (const k of ['accuracy', 'macro_f1', 'per_class', 'confusion', 'ece', 'ece_calibrated', 'temperature'] as const)
      assert.deepEqual(b.report[k], report[k], k);
    assert.equal(b.report.reliability, undefined, 'the bins stay out: the charts draw them');
    assert.deepEqual(
      b.charts.map((c: { name: string }) => c.name),
      ['confusion.svg', 'reliability.svg'],
    );
    assert.equal(b.charts[0].svg, confusionChartSvg(report));
  });

  it('registry: models, versions and audit; promote and roll back need the admin key', async () => {
    const list = (await dash.inject('/api/registry/models')).json();
    assert.deepEqual(list.models[0].aliases, { production: 1 });
    const detail = (await dash.inject('/api/registry/models/dash-reg')).json();
    assert.deepEqual(
      detail.versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
    const body = { version: 2, alias: 'production', reason: 'better' };
    const url = '/api/registry/models/dash-reg/promote';
    assert.equal((await dash.inject({ method: 'POST', url, payload: body })).statusCode, 401);
    const wrong = await dash.inject({ method: 'POST', url, payload: body, headers: { 'x-api-key': 'nope' } });
    assert.equal(wrong.statusCode, 401);
    const bad = await dash.inject({
      method: 'POST',
      url,
      payload: { version: 0, alias: 'production' },
      headers: { 'x-api-key': KEY },
    });
    assert.equal(bad.statusCode, 400);
    const ok = await dash.inject({ method: 'POST', url, payload: body, headers: { 'x-api-key': KEY } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual([ok.json().from_version, ok.json().to_version, ok.json().changed], [1, 2, true]);
    assert.equal(ok.json().audit.reason, 'better');
    const back = await dash.inject({
      method: 'POST',
      url: '/api/registry/models/dash-reg/rollback',
      payload: { alias: 'production' },
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().to_version, 1);
    const audit = (await dash.inject('/api/registry/models/dash-reg')).json().audit;
    assert.deepEqual(
      audit.map((a: { action: string }) => a.action),
      ['promote', 'promote', 'rollback'],
    );
  });

  it('neighbourhood: capped ball with true labels and the served model’s predictions', async () => {
    const r = await dash.inject('/api/graph/neighbourhood?node=7&hops=2&max_nodes=10');
    assert.equal(r.statusCode, 200);
    const b = r.json();
    assert.equal(b.center, 7);
    assert.equal(b.nodes[0].id, 7);
    assert.ok(b.nodes.length <= 10);
    const deg = graph.indptr[8] - graph.indptr[7];
    assert.equal(b.nodes[0].degree, deg);
    const probs = await s.ctx.holder.current!.model.predictNodes(
      Int32Array.from(b.nodes.map((n: { id: number }) => n.id)),
    );
    const C = graph.numClasses;
    b.nodes.forEach((n: { id: number; label: number; predicted: number }, k: number) => {
      assert.equal(n.label, graph.labels[n.id]);
      const row = Array.from(probs.subarray(k * C, (k + 1) * C));
      assert.equal(n.predicted, row.indexOf(Math.max(...row)));
    });
    for (const [a, c] of b.edges) assert.ok(a < c && b.nodes.some((n: { id: number }) => n.id === a));
    assert.equal((await dash.inject('/api/graph/neighbourhood?node=60')).statusCode, 404);
    // An id the graph does not have (it has no ids of its own: its nodes are 0..59) is a node that is not there.
    const abc = await dash.inject('/api/graph/neighbourhood?node=abc');
    assert.equal(abc.statusCode, 404);
    assert.match(abc.json().error, /node: unknown node id "abc": the graph .*its nodes are 0\.\.59/);
    assert.equal(b.nodes[0].node_id, 7, 'a graph without ids of its own answers with the index');
    assert.equal((await dash.inject('/api/graph/neighbourhood?node=1&max_nodes=100000')).statusCode, 400);
  });

  it('title search and the projection', async () => {
    const hits = (await dash.inject('/api/graph/search?q=alpha 1')).json();
    assert.deepEqual(
      hits.hits.map((h: { id: number }) => h.id),
      [12, 15, 18],
    );
    const p = (await dash.inject('/api/data/projection?source=features&max_points=20')).json();
    assert.equal(p.total, 60);
    assert.equal(p.points.length, 20); // stride 3
    assert.ok(p.explained[0] >= p.explained[1] && p.explained[0] + p.explained[1] <= 1 + 1e-9);
    // the default source is the hidden layer of the registered checkpoint; the fixture has none, so: outputs
    const q = (await dash.inject('/api/data/projection?max_points=60')).json();
    assert.equal(q.source, 'output');
    assert.equal(q.dims, graph.numClasses);
    const st = (await dash.inject('/api/data/stats')).json();
    assert.equal(st.stats.nodes, 60);
  });

  it('drift: unavailable (with the reason) until subgraph traffic is logged', async () => {
    const r = (await dash.inject('/api/drift/latest')).json();
    assert.equal(r.available, false);
    assert.match(r.reason, /POST \/predict/);
  });

  it('overview: the served model and the last alias changes', async () => {
    const o = (await dash.inject('/api/overview')).json();
    assert.equal(o.model.name, 'dash');
    assert.equal(o.promotions[0].action, 'rollback');
    assert.equal(o.traffic.requests_total, 0);
  });

  it('without a web build, / says how to build it; with one, / serves index.html', async () => {
    const r = await dash.inject('/');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /npm run build/);
    const root = join(home, 'web');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>built</title>');
    const app = Fastify();
    await app.register(dashboardPlugin, { ctx: s.ctx, home, webRoot: root });
    assert.match((await app.inject('/')).body, /<title>built<\/title>/);
    assert.equal((await app.inject('/assets/missing.js')).statusCode, 404);
    await app.close();
  });

  it('alias changes made in the dashboard run the configured promotion hook', async () => {
    const out = join(home, 'hook.txt');
    const app = Fastify();
    await app.register(dashboardPlugin, {
      ctx: s.ctx,
      home,
      webRoot: join(home, 'no-web'),
      hooks: { command: `echo "$NAME $VERSION $ALIAS $FROM_VERSION" > '${out}'` },
    });
    const r = await app.inject({
      method: 'POST',
      url: '/api/registry/models/dash-reg/promote',
      payload: { version: 2, alias: 'staging' },
      headers: { 'x-api-key': KEY },
    });
    await app.close();
    assert.equal(r.statusCode, 200);
    assert.equal(readFileSync(out, 'utf8').trim(), 'dash-reg 2 staging');
  });

  it('every dashboard route is documented in the server’s OpenAPI', async () => {
    const doc = (await s.app.inject('/docs/json')).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/'));
    for (const p of [
      '/api/overview',
      '/api/runs',
      '/api/runs/{id}',
      '/api/runs/{id}/metrics',
      '/api/runs/{id}/classification',
      '/api/sweeps',
      '/api/sweeps/{id}',
      '/api/registry/models',
      '/api/registry/models/{name}',
      '/api/registry/models/{name}/promote',
      '/api/registry/models/{name}/rollback',
      '/api/graph/neighbourhood',
      '/api/graph/search',
      '/api/data/stats',
      '/api/data/projection',
      '/api/drift/latest',
      '/api/drift/history',
    ]) {
      assert.ok(paths.includes(p), `${p} missing from /docs/json`);
    }
    assert.deepEqual(doc.paths['/api/registry/models/{name}/promote'].post.tags, ['dashboard', 'admin']);
  });

  it('is part of the server: buildServeApp serves /api and /', async () => {
    const r = await s.app.inject('/api/registry/models');
    assert.equal(r.statusCode, 200);
    assert.equal((await s.app.inject('/')).statusCode, 200);
    // the served fixture is not a registry version, so the default data source explains why there is no graph
    const g = await s.app.inject('/api/graph/search?q=a');
    assert.equal(g.statusCode, 503);
    assert.match(g.json().error, /not in the registry/);
  });
});

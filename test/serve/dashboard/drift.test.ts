/**
 * Drift through the dashboard API on logged traffic: subgraph requests go through the real /predict route and
 * request log; the reference profile is computed from the served graph (no profile registered). Fixtures: a
 * 200-node graph from the synthetic WikiCS generator (NOT a real dataset) and the mean-aggregation fixture model;
 * "drifted" traffic is the same ego subgraphs with every feature shifted by 2 reference standard deviations.
 * The fixture model carries a test_acc of 0.6 (a stated number, not measured) so the test-accuracy gauge and the
 * accuracy route have something to show beside the estimate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { wikicsFromJson } from '../../../src/data/datasets/wikics.js';
import type { GraphData } from '../../../src/data/graph.js';
import { generateSynthetic } from '../../../src/data/synth.js';
import type { ServeApp } from '../../../src/jobs/serve-app.js';
import { makeRequestSampler } from '../../../src/monitor/simulate.js';
import type { Store } from '../../../src/track/index.js';
import { meanModel } from '../fixtures/mean-model.js';
import { openLogStore, tempHome, tinyApp } from '../helpers.js';

describe('dashboard drift on logged traffic', () => {
  let graph: GraphData;
  let store: Store;
  let s: ServeApp;
  let dash: FastifyInstance;
  /** Top-class probability of every served node, per request in send order: what the estimate must average. */
  const served: number[][] = [];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  const send = async (shift: number, n: number, seed: number) => {
    const next = makeRequestSampler(graph, { shift, maxNodes: 25, seed });
    for (let i = 0; i < n; i++) {
      const { root: _root, nodes: _nodes, ...body } = next();
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: body });
      assert.equal(r.statusCode, 200);
      served.push((r.json().probabilities as number[][]).map((row) => Math.max(...row)));
    }
    for (let i = 0; i < 100 && (s.requestLog?.pending ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  };

  before(async () => {
    const home = tempHome();
    graph = wikicsFromJson(generateSynthetic({ nodes: 200, features: 8, seed: 9, splits: 1 }), { source: 'synthetic' });
    const model = meanModel({
      name: 'drifty',
      numFeatures: graph.numFeatures,
      numClasses: graph.numClasses,
      graph: { numNodes: 200, features: graph.features, indptr: graph.indptr, indices: graph.indices },
    });
    model.info.metrics = { ...model.info.metrics, test_acc: 0.6 };
    store = openLogStore(home);
    // The fixture model is not in the registry, so the dashboard (and with it the drift loop) is given the graph.
    s = await tinyApp({
      model,
      requestLogDb: store.db,
      config: { log_flush_ms: 10 },
      dashboard: { home, loadGraph: async () => graph },
    });
    dash = s.app;
  });

  after(async () => {
    await s.app.close();
    store.close();
  });

  it('clean traffic first, then shifted: the latest report drifts and the history shows the change', async () => {
    await send(0, 40, 1);
    await send(2, 40, 2);
    const latest = (await dash.inject('/api/drift/latest?window=40')).json();
    assert.equal(latest.available, true);
    assert.equal(latest.requests, 40);
    assert.equal(latest.dataset.drifted, true);
    assert.equal(latest.dataset.drifted_features, graph.numFeatures);
    assert.match(latest.profile_source, /computed from dataset/);
    const f = latest.features[0];
    assert.ok(f.cur_mean - f.ref_mean > 1.5 * f.ref_std, 'the shift shows in the means');
    assert.equal(f.hist.ref.length, 20);
    assert.ok(latest.predictions, 'the computed profile carries the model’s predictions');

    const hist = (await dash.inject('/api/drift/history?window=80&windows=4')).json();
    assert.equal(hist.available, true);
    assert.equal(hist.points.length, 4);
    const shares = hist.points.map((p: { share: number }) => p.share);
    assert.ok(shares[3] === 1 && shares[2] === 1, `shifted windows: ${shares}`);
    assert.ok(shares[0] < 1 && shares[1] < 1, `clean windows: ${shares}`);
    assert.ok(hist.points[0].from <= hist.points[3].to);

    const ov = (await dash.inject('/api/overview')).json();
    assert.equal(ov.drift.drifted, true);
  });

  it('the server’s background drift loop uses the same profile: GET /v1/drift and the Prometheus gauges', async () => {
    // 80 logged requests, 40 of them shifted: the window is the whole log here.
    const res = await s.app.inject('/v1/drift');
    assert.equal(res.statusCode, 200, res.body);
    const snap = res.json();
    assert.equal(snap.available, true);
    assert.ok(snap.share > 0 && snap.share <= 1, `share ${snap.share}`);
    const metrics = (await s.app.inject('/metrics')).body;
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(gauge('gnnops_drift_share'), snap.share);
    assert.equal(gauge('gnnops_drifted_features'), snap.driftedFeatures);

    // The accuracy estimate of the same check: the mean served top-class probability over every logged node.
    const labelled = (name: string) =>
      Number(new RegExp(`^${name}\\{model="drifty",version="1"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    const all = served.flat();
    assert.ok(
      Math.abs(labelled('gnnops_estimated_accuracy') - mean(all)) < 1e-6,
      `${labelled('gnnops_estimated_accuracy')} vs ${mean(all)}`,
    );
    assert.equal(labelled('gnnops_model_test_accuracy'), 0.6);
    assert.equal(snap.estimates.length, 1);
    assert.equal(snap.estimates[0].n, all.length);
    assert.equal(snap.estimates[0].calibration, 'uncalibrated', 'the fixture version has no fitted temperature');
  });

  it('GET /api/drift/accuracy: the estimate of the whole window and of consecutive windows', async () => {
    const res = await dash.inject('/api/drift/accuracy?window=80&windows=4');
    assert.equal(res.statusCode, 200, res.body);
    const a = res.json();
    assert.equal(a.available, true);
    assert.equal(a.model, 'drifty');
    assert.equal(a.version, '1');
    const all = served.flat();
    const l = a.latest;
    assert.equal(l.n, all.length);
    assert.equal(l.requests, 80);
    assert.ok(Math.abs(l.estimated - mean(all)) < 1e-6);
    assert.ok(l.low < l.estimated && l.estimated < l.high, `${l.low} ${l.estimated} ${l.high}`);
    assert.equal(l.level, 0.95);
    assert.equal(l.test_accuracy, 0.6);
    assert.equal(l.registered_temperature, null);
    assert.equal(l.calibration, 'uncalibrated');
    assert.match(l.warning, /no fitted temperature/);
    assert.equal(
      l.per_class.reduce((s: number, c: { n: number }) => s + c.n, 0),
      all.length,
      'per-class counts add up to the window',
    );
    for (const c of l.per_class) assert.ok(c.class >= 0 && c.class < graph.numClasses && c.low <= c.estimated);
    // four windows of 20 requests in send order: two clean, two shifted
    assert.equal(a.points.length, 4);
    a.points.forEach((p: { requests: number; n: number; estimated: number; from: number; to: number }, i: number) => {
      const chunk = served.slice(i * 20, (i + 1) * 20).flat();
      assert.equal(p.requests, 20);
      assert.equal(p.n, chunk.length);
      assert.ok(Math.abs(p.estimated - mean(chunk)) < 1e-6, `point ${i}: ${p.estimated} vs ${mean(chunk)}`);
      assert.ok(p.from <= p.to);
    });
  });

  it('GET /api/drift/accuracy: bad query parameters are a 400 naming the parameter', async () => {
    for (const q of ['window=0', 'window=100001', 'window=abc', 'windows=0', 'windows=49', 'windows=1.5']) {
      const res = await dash.inject(`/api/drift/accuracy?${q}`);
      assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
      assert.match(res.body, new RegExp(q.split('=')[0]), q);
    }
  });
});

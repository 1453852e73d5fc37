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
import type { LogStore } from '../../../src/monitor/log-store.js';
import { makeRequestSampler } from '../../../src/monitor/simulate.js';
import { meanModel } from '../fixtures/mean-model.js';
import { openLogStore, tempHome, tinyApp } from '../helpers.js';

describe('dashboard drift on logged traffic', () => {
  let graph: GraphData;
  let store: LogStore;
  let s: ServeApp;
  let dash: FastifyInstance;
  let homeDir: string;
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
    store = await openLogStore(home);
    // The fixture model is not in the registry, so the dashboard (and with it the drift loop) is given the graph.
    s = await tinyApp({
      model,
      logStore: store,
      config: { log_flush_ms: 10, replica: 'one' },
      dashboard: { home, loadGraph: async () => graph },
    });
    dash = s.app;
    homeDir = home;
  });

  after(async () => {
    await s.app.close();
    await store.db.close();
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

  it('a second replica on the same store: routes read the union or, with ?replica=, one server', async () => {
    const model = s.holder.current?.model;
    assert.ok(model);
    const other = await tinyApp({
      model,
      logStore: store,
      config: { log_flush_ms: 10, replica: 'two' },
      dashboard: { home: homeDir, loadGraph: async () => graph },
    });
    try {
      const next = makeRequestSampler(graph, { shift: 2, maxNodes: 25, seed: 5 });
      for (let i = 0; i < 30; i++) {
        const { root: _root, nodes: _nodes, ...body } = next();
        assert.equal((await other.app.inject({ method: 'POST', url: '/predict', payload: body })).statusCode, 200);
      }
      await other.requestLog?.flush();
      const replicas = (await dash.inject('/api/drift/replicas')).json();
      assert.deepEqual(
        replicas.replicas.map((r: { replica: string; rows: number }) => [r.replica, r.rows]),
        [
          ['one', 80],
          ['two', 30],
        ],
      );
      // replica one's newest 40 requests are the shifted ones; its first 40 were clean
      const one = (await dash.inject('/api/drift/latest?window=80&replica=one')).json();
      const two = (await dash.inject('/api/drift/latest?window=80&replica=two')).json();
      const union = (await dash.inject('/api/drift/latest?window=200')).json();
      assert.deepEqual([one.requests, two.requests, union.requests], [80, 30, 110]);
      assert.equal(two.dataset.share, 1);
      const acc = (await dash.inject('/api/drift/accuracy?window=200&replica=two')).json();
      assert.equal(acc.latest.requests, 30);
      const hist = (await dash.inject('/api/drift/history?window=200&windows=2&replica=two')).json();
      assert.equal(
        hist.points.reduce((n: number, p: { requests: number }) => n + p.requests, 0),
        30,
      );
      // the on-demand check over one replica leaves the deployment's gauges alone
      const before = (await s.app.inject('/metrics')).body.match(/^gnnops_drift_share (\S+)$/m)?.[1];
      const v1 = (await s.app.inject('/v1/drift?replica=two')).json();
      assert.equal(v1.replica, 'two');
      assert.equal(v1.requests, 30);
      assert.equal((await s.app.inject('/metrics')).body.match(/^gnnops_drift_share (\S+)$/m)?.[1], before);
      assert.equal((await s.app.inject('/v1/drift?replica=')).statusCode, 400);
      assert.equal((await dash.inject('/api/drift/latest?replica=')).statusCode, 400);
    } finally {
      await other.app.close();
    }
  });

  it('a scheduled check is stored in the drift history with its leader, and GET /api/drift/checks reads it', async () => {
    await s.drift?.tick();
    assert.equal(s.drift?.leader, true, 'the only server takes the lease');
    const res = await dash.inject('/api/drift/checks');
    assert.equal(res.statusCode, 200, res.body);
    const [c] = res.json().checks;
    assert.equal(c.leader, 'one');
    assert.deepEqual([c.model, c.version], ['drifty', '1']);
    assert.equal(c.requests, 110, 'the union of both replicas');
    assert.equal(c.available, true);
    assert.ok(c.share > 0.5 && c.dataset_drifted, `share ${c.share}`);
    assert.equal(c.test_accuracy, 0.6);
    assert.equal(typeof c.estimated_accuracy, 'number');
    assert.deepEqual((await dash.inject('/api/drift/checks?leader=two')).json().checks, []);
    assert.equal((await dash.inject('/api/drift/checks?limit=0')).statusCode, 400);
  });
});

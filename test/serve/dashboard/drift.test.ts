/**
 * Drift through the dashboard API on logged traffic: subgraph requests go through the real /predict route and
 * request log; the reference profile is computed from the served graph (no profile registered). Fixtures: a
 * 200-node graph from the synthetic WikiCS generator (NOT a real dataset) and the mean-aggregation fixture model;
 * "drifted" traffic is the same ego subgraphs with every feature shifted by 2 reference standard deviations.
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

  const send = async (shift: number, n: number, seed: number) => {
    const next = makeRequestSampler(graph, { shift, maxNodes: 25, seed });
    for (let i = 0; i < n; i++) {
      const { root: _root, ...body } = next();
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: body });
      assert.equal(r.statusCode, 200);
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
  });
});

/**
 * Serving a dataset imported with ids of its own: POST /v1/predict/nodes and /v1/explain/nodes take the original
 * ids (and indices), answer with the original ids, and refuse an unknown id with a 422 naming it; the dashboard's
 * graph view finds a node by its id. Fixture: a GCN trained a few steps on the small synthetic graph (NOT a real
 * dataset) with string ids attached, served natively.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GraphData } from '../../src/data/graph.js';
import { withHash } from '../../src/data/hash.js';
import { buildServeApp, type ServeApp } from '../../src/jobs/serve-app.js';
import { saveCheckpoint } from '../../src/nn/checkpoint.js';
import { dashboardPlugin } from '../../src/serve/dashboard/index.js';
import { makeErrorHandler, notFoundHandler } from '../../src/serve/errors.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import type { ExplainResponse } from '../../src/serve/schemas/explain.js';
import type { NodesResponse } from '../../src/serve/schemas/nodes.js';
import { makeTask, refBackend, testConfig, tinyGraph } from '../train/_fixtures.js';
import { tempHome } from './helpers.js';

/** Not numeric and not in index order, so that an id can never pass for its index. */
const idOf = (i: number) => `paper-${(i * 37) % 1000}-${i}`;

function idGraph(): GraphData {
  const { hash: _h, ...g } = tinyGraph(240, 12, 3);
  return withHash({ ...g, name: 'papers', nodeIds: Array.from({ length: g.numNodes }, (_, i) => idOf(i)) });
}

function served(data: GraphData) {
  const cfg = testConfig(['model.name=gcn', 'model.hidden=8']);
  const s = makeTask(cfg, data);
  s.task.configureOptimizer();
  for (let i = 0; i < 10; i++) s.task.trainingStep();
  const path = join(mkdtempSync(join(tmpdir(), 'gnnops-node-ids-')), 'm.safetensors');
  saveCheckpoint(path, s.model, {
    model: cfg.model,
    config: cfg,
    dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
    dataset: { name: data.name, hash: data.hash },
    split: 0,
    metrics: {},
  });
  s.dispose();
  return loadPredictor(path, data, { name: 'papers-gcn', version: '1', backend: refBackend });
}

describe('serving by original node id', () => {
  let s: ServeApp;
  let dash: FastifyInstance;
  const graph = idGraph();
  before(async () => {
    const home = tempHome();
    s = await buildServeApp({ model: await served(graph), defaultMetrics: false, config: { log_requests: false } });
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
  const post = (url: string, payload: Record<string, unknown>) => s.app.inject({ method: 'POST', url, payload });

  it('POST /v1/predict/nodes maps string ids through the id map and answers with them', async () => {
    const byId = await post('/v1/predict/nodes', { node_ids: [idOf(7), idOf(0), idOf(33)] });
    assert.equal(byId.statusCode, 200, byId.body);
    const a = byId.json() as NodesResponse;
    assert.deepEqual(
      a.predictions.map((p) => p.node_id),
      [idOf(7), idOf(0), idOf(33)],
    );
    // The same nodes by index give the same answers, which also carry the original ids.
    const byIndex = (await post('/v1/predict/nodes', { node_ids: [7, 0, 33] })).json() as NodesResponse;
    assert.deepEqual(byIndex, a);
    const mixed = (await post('/v1/predict/nodes', { node_ids: [7, idOf(0)] })).json() as NodesResponse;
    assert.deepEqual(mixed.predictions, a.predictions.slice(0, 2));
  });

  it('an unknown id is a 422 naming the id and its place; a bad type a 400', async () => {
    const r = await post('/v1/predict/nodes', { node_ids: [idOf(1), 'paper-17'] });
    assert.equal(r.statusCode, 422);
    const b = r.json();
    assert.equal(b.code, 'E_INVALID_ARGUMENT');
    assert.equal(b.field, 'node_ids[1]');
    assert.match(b.error, /node_ids\[1\]: unknown node id "paper-17": no node of dataset papers has this id/);
    const far = await post('/v1/predict/nodes', { node_ids: [240] });
    assert.equal(far.statusCode, 422);
    assert.match(far.json().error, /unknown node id 240: the graph of dataset papers has 240 nodes/);
    for (const bad of [[true], [1.5], [''], [null]]) {
      const x = await post('/v1/predict/nodes', { node_ids: bad });
      assert.ok([400, 422].includes(x.statusCode), `${JSON.stringify(bad)} → ${x.statusCode}`);
      assert.equal(x.json().field?.startsWith('node_ids'), true, x.body);
    }
  });

  it('POST /v1/explain/nodes takes and returns original ids beside the indices', async () => {
    const r = await post('/v1/explain/nodes', { node_ids: [idOf(5)], top_k: 3 });
    assert.equal(r.statusCode, 200, r.body);
    const e = (r.json() as ExplainResponse).explanations[0];
    assert.equal(e.node_id, idOf(5));
    assert.equal(e.node_index, 5);
    assert.equal(e.nodes[0], 5);
    assert.deepEqual(
      e.node_ids,
      e.nodes.map((v) => idOf(v)),
    );
    const bad = await post('/v1/explain/nodes', { node_ids: ['nope'] });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.json().error, /node_ids\[0\]: unknown node id "nope"/);
  });

  it('the dashboard graph view finds a node by its id and names every node by its id', async () => {
    const r = await dash.inject(`/api/graph/neighbourhood?node=${encodeURIComponent(idOf(12))}&hops=1`);
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.center, 12);
    assert.equal(b.nodes[0].node_id, idOf(12));
    for (const n of b.nodes) assert.equal(n.node_id, idOf(n.id));
    const missing = await dash.inject('/api/graph/neighbourhood?node=paper-17');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error, /unknown node id "paper-17"/);
    // Text is an id, so an index written as text is not a node of a graph with ids of its own.
    assert.equal((await dash.inject('/api/graph/neighbourhood?node=12')).statusCode, 404);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildServeApp, type ServeApp } from '../../src/jobs/serve-app.js';
import { saveCheckpoint } from '../../src/nn/checkpoint.js';
import { loadPredictor } from '../../src/serve/native/predictor.js';
import type { ExplainResponse } from '../../src/serve/schemas/explain.js';
import { makeTask, refBackend, testConfig, tinyGraph } from '../train/_fixtures.js';
import { tempHome, tinyApp } from './helpers.js';

/** A GCN or GAT trained a few steps on the small synthetic graph, served natively with that graph. */
function servedModel(name: 'gcn' | 'gat') {
  const cfg = testConfig([`model.name=${name}`, 'model.hidden=8', 'model.heads=2']);
  const data = tinyGraph();
  const s = makeTask(cfg, data);
  s.task.configureOptimizer();
  for (let i = 0; i < 20; i++) s.task.trainingStep();
  const path = join(mkdtempSync(join(tmpdir(), 'gnnops-explain-route-')), 'm.safetensors');
  saveCheckpoint(path, s.model, {
    model: cfg.model,
    config: cfg,
    dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
    dataset: { name: data.name, hash: data.hash },
    split: 0,
    metrics: {},
  });
  s.dispose();
  return loadPredictor(path, data, { name: `tiny-${name}`, version: '1', backend: refBackend });
}

const post = (s: ServeApp, payload: Record<string, unknown>) =>
  s.app.inject({ method: 'POST', url: '/v1/explain/nodes', payload });

describe('POST /v1/explain/nodes', () => {
  let s: ServeApp;
  before(async () => {
    tempHome();
    s = await buildServeApp({
      model: servedModel('gcn'),
      defaultMetrics: false,
      config: { explain_max_nodes: 3, log_requests: false },
    });
  });
  after(async () => {
    await s.app.close();
  });

  it('saliency by default: each node’s subgraph, edges, features and fidelity; the means over the nodes', async () => {
    const r = await post(s, { node_ids: [0, 5, 9] });
    assert.equal(r.statusCode, 200, r.body);
    const j = r.json() as ExplainResponse;
    assert.equal(j.method, 'saliency');
    assert.equal(j.top_k, 5);
    assert.equal(j.model, 'tiny-gcn');
    assert.deepEqual(
      j.explanations.map((e) => e.node_id),
      [0, 5, 9],
    );
    for (const e of j.explanations) {
      assert.equal(e.nodes[0], e.node_id);
      assert.equal(e.feature_importance.length, 12);
      assert.equal(e.top_edges.length, Math.min(5, e.edges.length));
      assert.ok(e.probability > 0 && e.probability <= 1);
    }
    const m = j.explanations.reduce((a, e) => a + e.fidelity_minus, 0) / 3;
    assert.ok(Math.abs(j.fidelity_minus - m) < 1e-12);
  });

  it('gnnexplainer and top_k', async () => {
    const r = await post(s, { node_ids: [5], method: 'gnnexplainer', top_k: 2 });
    assert.equal(r.statusCode, 200, r.body);
    const j = r.json() as ExplainResponse;
    assert.equal(j.method, 'gnnexplainer');
    assert.equal(j.explanations[0].top_edges.length, 2);
    for (const e of j.explanations[0].edges) assert.ok(e.importance > 0 && e.importance < 1);
  });

  for (const [name, body, status, code, field, says] of [
    ['no node_ids', {}, 400, 'E_BAD_REQUEST', 'node_ids', /is required/],
    ['node_ids not an array', { node_ids: 3 }, 400, 'E_BAD_REQUEST', 'node_ids', /must be array/],
    ['an unknown method', { node_ids: [1], method: 'lime' }, 400, 'E_BAD_REQUEST', 'method', /allowed values/],
    ['top_k of 0', { node_ids: [1], top_k: 0 }, 400, 'E_BAD_REQUEST', 'top_k', />= 1/],
    [
      'more nodes than serve.explain_max_nodes',
      { node_ids: [1, 2, 3, 4] },
      413,
      'E_LIMIT_EXCEEDED',
      'node_ids',
      /limit 3/,
    ],
    ['no nodes', { node_ids: [] }, 422, 'E_INVALID_ARGUMENT', 'node_ids', /at least 1 node id/],
    [
      'a node outside the graph',
      { node_ids: [1, 240] },
      422,
      'E_INVALID_ARGUMENT',
      'node_ids[1]',
      /unknown node id 240/,
    ],
  ] as const) {
    it(`${name}: ${status} naming ${field}`, async () => {
      const r = await post(s, body);
      assert.equal(r.statusCode, status, r.body);
      const e = r.json() as { code: string; field: string; error: string };
      assert.equal(e.code, code);
      assert.equal(e.field, field);
      assert.match(e.error, says);
    });
  }

  it('an explanation over serve.explain_time_limit_s: 413 naming the node and the limit', async () => {
    const t = await buildServeApp({
      model: servedModel('gcn'),
      defaultMetrics: false,
      config: { explain_time_limit_s: 0.01, log_requests: false },
    });
    try {
      const r = await post(t, { node_ids: [3], method: 'gnnexplainer' });
      assert.equal(r.statusCode, 413, r.body);
      const e = r.json() as { code: string; field: string; error: string; limit: number };
      assert.equal(e.field, 'node_ids[0]');
      assert.equal(e.limit, 0.01);
      assert.match(e.error, /explaining node 3 with gnnexplainer took over 0\.01 s .*serve\.explain_time_limit_s/);
    } finally {
      await t.app.close();
    }
  });

  it('a GAT model: 422 naming the model and the architectures that can be explained', async () => {
    const t = await buildServeApp({
      model: servedModel('gat'),
      defaultMetrics: false,
      config: { log_requests: false },
    });
    try {
      const r = await post(t, { node_ids: [3] });
      assert.equal(r.statusCode, 422, r.body);
      assert.equal(r.json().field, 'model');
      assert.match(r.json().error, /gat models cannot be explained/);
    } finally {
      await t.app.close();
    }
  });

  it('a model without explanations (the test fixture, like ONNX): 503 naming the runtime', async () => {
    const t = await tinyApp();
    try {
      const r = await post(t, { node_ids: [0] });
      assert.equal(r.statusCode, 503, r.body);
      assert.equal(r.json().field, 'runtime');
    } finally {
      await t.app.close();
    }
  });
});

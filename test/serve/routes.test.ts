import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServeApp } from '../../src/jobs/serve-app.js';
import { sigmoid, tinyApp, tinyBody } from './helpers.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

describe('serve routes (inject, tiny fixture model)', () => {
  let s: ServeApp;
  before(async () => {
    s = await tinyApp();
  });
  after(async () => {
    await s.app.close();
  });

  it('POST /predict runs the model on the request subgraph', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
    assert.equal(r.statusCode, 200);
    const b = r.json();
    // node 0: h = [1, 0] → p = [σ(1), σ(-1)]; node 1: h = ([0,3] + [1,0]) / 2 = [0.5, 1.5] → p = [σ(-1), σ(1)]
    assert.deepEqual(b.node_predictions, [0, 1]);
    assert.deepEqual(b.labels, ['left', 'right']);
    assert.ok(close(b.probabilities[0][0], sigmoid(1)) && close(b.probabilities[1][1], sigmoid(1)));
    assert.equal(b.model, 'tiny');
    assert.equal(b.version, '1');
    assert.equal(b.predictions, undefined);
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f]{8}-/);
  });

  it('POST /predict answers both batch forms with one entry per instance', async () => {
    const other = { x: [[0, 0]], edge_index: [[], []] };
    for (const payload of [{ instances: [tinyBody, other] }, [tinyBody, other]]) {
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload });
      assert.equal(r.statusCode, 200);
      const b = r.json();
      assert.equal(b.predictions.length, 2);
      assert.deepEqual(b.predictions[0].node_predictions, [0, 1]);
      assert.deepEqual(b.predictions[1].probabilities, [[0.5, 0.5]]);
      assert.equal(b.node_predictions, undefined);
    }
  });

  it('POST /v1/predict/nodes uses stored neighbourhoods and returns titles where known', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: [2, 1, 0] } });
    assert.equal(r.statusCode, 200);
    const [n2, n1, n0] = r.json().predictions;
    // node 2 ← 0, 1: h = ([0,0] + [1,0] + [0,3]) / 3 = [1/3, 1] → class 1 with σ(2/3)
    assert.equal(n2.node_id, 2);
    assert.equal(n2.class, 1);
    assert.equal(n2.label, 'right');
    assert.ok(close(n2.probabilities[1], sigmoid(2 / 3)));
    assert.equal(n2.title, 'Gamma');
    assert.equal(n1.title, undefined, 'empty titles are omitted');
    // node 0 ← 1: h = ([1,0] + [0,3]) / 2 → class 1
    assert.equal(n0.class, 1);
    assert.equal(n0.title, 'Alpha');
  });

  it('V2 health, server and model metadata, readiness', async () => {
    assert.deepEqual((await s.app.inject({ url: '/v2/health/live' })).json(), { live: true });
    assert.deepEqual((await s.app.inject({ url: '/v2/health/ready' })).json(), { ready: true });
    const server = (await s.app.inject({ url: '/v2' })).json();
    assert.equal(server.name, 'gnnops');
    assert.deepEqual(server.extensions, ['binary_tensor_data']);
    const m = (await s.app.inject({ url: '/v2/models/tiny' })).json();
    assert.deepEqual(m.versions, ['1']);
    assert.deepEqual(
      m.inputs.map((t: { name: string }) => t.name),
      ['x', 'edge_index', 'node_ids'],
    );
    assert.deepEqual(m.outputs[0], { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] });
    assert.deepEqual((await s.app.inject({ url: '/v2/models/tiny/ready' })).json(), { name: 'tiny', ready: true });
    const missing = await s.app.inject({ url: '/v2/models/other' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error, /serves "tiny"/);
  });

  it('V2 infer on a subgraph (flat and nested data) matches /predict', async () => {
    const flat = {
      id: 'req-7',
      inputs: [
        { name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 0, 0, 3] },
        { name: 'edge_index', shape: [2, 1], datatype: 'INT64', data: [0, 1] },
      ],
    };
    const nested = {
      inputs: [
        {
          name: 'x',
          shape: [2, 2],
          datatype: 'FP32',
          data: [
            [1, 0],
            [0, 3],
          ],
        },
        { name: 'edge_index', shape: [2, 1], datatype: 'INT64', data: [[0], [1]] },
      ],
    };
    const ref = (await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody })).json();
    for (const payload of [flat, nested]) {
      const r = await s.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', payload });
      assert.equal(r.statusCode, 200);
      const b = r.json();
      assert.equal(b.model_name, 'tiny');
      assert.equal(b.model_version, '1');
      const [probs, preds] = b.outputs;
      assert.deepEqual(probs.shape, [2, 2]);
      assert.equal(probs.datatype, 'FP32');
      assert.deepEqual(probs.data, ref.probabilities.flat());
      assert.deepEqual(preds, { name: 'predictions', shape: [2], datatype: 'INT64', data: [0, 1] });
    }
    const withId = (await s.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', payload: flat })).json();
    assert.equal(withId.id, 'req-7');
  });

  it('V2 infer on node_ids, with an output selection', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/v2/models/tiny/infer',
      payload: {
        inputs: [{ name: 'node_ids', shape: [2], datatype: 'INT64', data: [2, 1] }],
        outputs: [{ name: 'predictions' }],
      },
    });
    assert.equal(r.statusCode, 200);
    // node 2 → class 1 (see above); node 1 has no senders: h = [0, 3] → class 1
    assert.deepEqual(r.json().outputs, [{ name: 'predictions', shape: [2], datatype: 'INT64', data: [1, 1] }]);
  });

  it('GET /v1/models shows the served model with metrics and lineage', async () => {
    const [m] = (await s.app.inject({ url: '/v1/models' })).json().models;
    assert.equal(m.name, 'tiny');
    assert.equal(m.ref, 'tiny/1');
    assert.equal(m.num_features, 2);
    assert.deepEqual(m.class_names, ['left', 'right']);
    assert.equal(m.graph_nodes, 3);
    assert.deepEqual(m.metrics, { val_acc: 0.5 });
    assert.equal(m.lineage.fixture, 'test/serve/fixtures/mean-model.ts');
    assert.ok(!Number.isNaN(Date.parse(m.loaded_at)));
  });

  it('GET /docs serves the OpenAPI document and an offline UI', async () => {
    const spec = (await s.app.inject({ url: '/docs/json' })).json();
    assert.equal(spec.openapi, '3.0.3');
    for (const p of ['/predict', '/v1/predict/nodes', '/v2/models/{name}/infer', '/v1/admin/reload']) {
      assert.ok(spec.paths[p], `${p} documented`);
    }
    assert.ok(spec.paths['/predict'].post.requestBody.content['application/json'].schema.anyOf);
    const ui = await s.app.inject({ url: '/docs' });
    assert.equal(ui.statusCode, 200);
    const assets = [...ui.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')));
    for (const a of assets) {
      assert.doesNotMatch(a, /^(https?:)?\/\//, `asset ${a} is served locally, not from a CDN`);
      const res = await s.app.inject({ url: a.startsWith('/') ? a : `/docs/${a.replace(/^\.\//, '')}` });
      assert.equal(res.statusCode, 200, a);
    }
  });

  it('unknown routes get a JSON 404', async () => {
    const r = await s.app.inject({ url: '/nope?x=1' });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), { error: 'no route GET /nope', code: 'E_NOT_FOUND' });
  });
});

describe('serve without a model', () => {
  it('is live but not ready, and prediction routes answer 503', async () => {
    const s = await tinyApp({ model: undefined });
    try {
      assert.equal((await s.app.inject({ url: '/v2/health/live' })).statusCode, 200);
      const ready = await s.app.inject({ url: '/v2/health/ready' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().ready, false);
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().code, 'E_MODEL_NOT_READY');
      assert.deepEqual((await s.app.inject({ url: '/v1/models' })).json(), { models: [] });
    } finally {
      await s.app.close();
    }
  });

  it('loads its source in the background and becomes ready', async () => {
    const { tinyModel } = await import('./helpers.js');
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const s = await tinyApp({
      model: undefined,
      source: 'tiny@production',
      resolve: async () => 'tiny/4',
      loader: async (ref) => {
        await gate;
        return tinyModel(ref.split('/')[1]);
      },
    });
    try {
      assert.equal((await s.app.inject({ url: '/v2/health/ready' })).statusCode, 503);
      release();
      for (let i = 0; i < 1000 && !s.holder.ready; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal((await s.app.inject({ url: '/v2/health/ready' })).statusCode, 200);
      const b = (await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody })).json();
      assert.equal(b.version, '4');
    } finally {
      await s.app.close();
    }
  });
});

/**
 * Temperature scaling in serving: the served probabilities are softmax(logits / T) with the version's temperature,
 * `calibrated: false` (request) or serve.calibrated = false (config) gives T = 1, every response and request-log row
 * says which T was applied, and the ONNX export (file and served runtime) gives the same probabilities as native.
 * The per-node OOD score (`ood_score`) is checked against src/monitor/ood.ts on the same model.
 * The model is a GCN trained a few steps on the project's small synthetic graph (test/train/_fixtures.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { GraphData } from '../../src/data/graph.js';
import { energyScores, oodScores, propagateEnergyCsr } from '../../src/monitor/ood.js';
import { readCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../src/nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../src/nn/export/onnx/gcn.js';
import { decodeModel } from '../../src/nn/export/onnx/proto.js';
import { readRequestLog } from '../../src/request-log/reader.js';
import { loadServedModel } from '../../src/serve/loader.js';
import { loadPredictor, type Predictor } from '../../src/serve/native/predictor.js';
import { onnxServedModel } from '../../src/serve/onnx/served-model.js';
import { makeTask, testConfig, tinyGraph } from '../train/_fixtures.js';
import { openLogStore, tempHome, tinyApp, tinyBody } from './helpers.js';

const T = 1.7;

/** Row-wise softmax(z / t) in float64, written from the formula. */
function softmax64(z: ArrayLike<number>, C: number, t: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < z.length; i += C) {
    const row = Array.from({ length: C }, (_, c) => z[i + c] / t);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let data: GraphData;
let ckptPath: string;
// the reference for the expected values; apps get their own (closing an app closes its model)
let native: Predictor;
const served = () => loadPredictor(ckptPath, data, { name: 'calib', version: '1', temperature: T });

// a 5-node subgraph of stored features with a chain and a duplicate edge
const n = 5;
const src = Int32Array.from([0, 1, 2, 3, 3]);
const dst = Int32Array.from([1, 2, 3, 4, 4]);
let x: Float32Array;
const body = () => ({
  x: Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * data.numFeatures, (i + 1) * data.numFeatures))),
  edge_index: [Array.from(src), Array.from(dst)],
});

before(() => {
  const cfg = testConfig(['model.name=gcn', 'model.hidden=8']);
  data = tinyGraph();
  const s = makeTask(cfg, data);
  for (let e = 0; e < 10; e++) s.task.trainingStep();
  ckptPath = join(mkdtempSync(join(tmpdir(), 'gnnops-calib-')), 'calib.safetensors');
  saveCheckpoint(ckptPath, s.model, {
    model: cfg.model,
    config: cfg,
    dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
    dataset: { name: data.name, hash: data.hash },
    split: 0,
    // a bare checkpoint whose metrics carry a fitted temperature is served with it, as a registered version is
    metrics: { test_acc: 0.5, temperature: T },
  });
  s.dispose();
  native = loadPredictor(ckptPath, data, { name: 'calib', version: '1', temperature: T });
  x = data.features.slice(0, n * data.numFeatures);
});

after(() => native.close?.());

describe('temperature scaling in serving', () => {
  it('native: /predict and /v1/predict/nodes serve softmax(logits / T) and say T; the request log records it', async () => {
    const home = tempHome();
    const store = await openLogStore(home);
    const s = await tinyApp({ model: served(), logStore: store, config: { log_flush_ms: 60_000 } });
    try {
      const since = Date.now();
      const C = data.numClasses;
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: body() });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().temperature, T);
      const want = softmax64(native.logitsSubgraph(x, n, src, dst), C, T);
      const got = (r.json().probabilities as number[][]).flat();
      assert.ok(maxDiff(got, want) < 1e-6, `max |Δp| = ${maxDiff(got, want)}`);
      // calibration with T > 1 flattens: the top probability is below the raw one
      const raw = softmax64(native.logitsSubgraph(x, n, src, dst), C, 1);
      assert.ok(Math.max(...got.slice(0, C)) < Math.max(...raw.slice(0, C)));

      const ids = [0, 7, 42];
      const q = await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: ids } });
      assert.equal(q.statusCode, 200, q.body);
      assert.equal(q.json().temperature, T);
      const wantNodes = softmax64(native.logitsNodes(Int32Array.from(ids)), C, T);
      const gotNodes = (q.json().predictions as { probabilities: number[] }[]).flatMap((p) => p.probabilities);
      assert.ok(maxDiff(gotNodes, wantNodes) < 1e-6);

      // raw on request: T = 1 and the plain softmax
      const rr = await s.app.inject({ method: 'POST', url: '/predict', payload: { ...body(), calibrated: false } });
      assert.equal(rr.json().temperature, 1);
      assert.ok(maxDiff((rr.json().probabilities as number[][]).flat(), raw) < 1e-6);
      const qr = await s.app.inject({
        method: 'POST',
        url: '/v1/predict/nodes',
        payload: { node_ids: ids, calibrated: false },
      });
      assert.equal(qr.json().temperature, 1);
      const gotRawNodes = (qr.json().predictions as { probabilities: number[] }[]).flatMap((p) => p.probabilities);
      assert.ok(maxDiff(gotRawNodes, softmax64(native.logitsNodes(Int32Array.from(ids)), C, 1)) < 1e-6);

      // a batch carries the option beside `instances`; V2 in its parameters
      const b = await s.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { instances: [body(), body()], calibrated: false },
      });
      assert.equal(b.json().temperature, 1);
      const v2 = await s.app.inject({
        method: 'POST',
        url: '/v2/models/calib/infer',
        payload: {
          inputs: [{ name: 'node_ids', shape: [ids.length], datatype: 'INT64', data: ids }],
          outputs: [{ name: 'probabilities' }],
        },
      });
      assert.equal(v2.statusCode, 200, v2.body);
      assert.equal(v2.json().parameters.temperature, T);
      assert.ok(maxDiff(v2.json().outputs[0].data, wantNodes) < 1e-6);

      await s.requestLog?.flush();
      const rows = await readRequestLog(store.db, { since });
      assert.deepEqual(
        rows.map((row) => [row.route, row.temperature]),
        [
          ['/predict', T],
          ['/v1/predict/nodes', T],
          ['/predict', 1],
          ['/v1/predict/nodes', 1],
          ['/predict', 1],
          ['/predict', 1],
          ['/v2/models/:name/infer', T],
        ],
      );
      // the logged confidence is the served top probability
      assert.ok(Math.abs(rows[0].confidence[0] - Math.max(...got.slice(0, C))) < 1e-6);
    } finally {
      await s.app.close();
      await store.db.close();
    }
  });

  it('serve.calibrated = false serves raw by default; a request can still ask for calibrated', async () => {
    const s = await tinyApp({ model: served(), config: { calibrated: false } });
    try {
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: body() });
      assert.equal(r.json().temperature, 1);
      const raw = softmax64(native.logitsSubgraph(x, n, src, dst), data.numClasses, 1);
      assert.ok(maxDiff((r.json().probabilities as number[][]).flat(), raw) < 1e-6);
      const c = await s.app.inject({ method: 'POST', url: '/predict', payload: { ...body(), calibrated: true } });
      assert.equal(c.json().temperature, T);
    } finally {
      await s.app.close();
    }
  });

  it('a bad option is a 400 naming it, on both routes', async () => {
    const s = await tinyApp({ model: served() });
    try {
      for (const [url, base] of [
        ['/v1/predict/nodes', { node_ids: [0] }],
        ['/predict', body()],
      ] as const)
        for (const option of ['calibrated', 'ood_score']) {
          const r = await s.app.inject({ method: 'POST', url, payload: { ...base, [option]: 'yes' } });
          assert.equal(r.statusCode, 400, `${url} ${option}: ${r.body}`);
          assert.match(r.json().error, new RegExp(option));
        }
    } finally {
      await s.app.close();
    }
  });

  it('ood_score for node queries of a model without logits: 503 naming ood_score', async () => {
    const fixture = await tinyApp(); // the mean-model fixture has a stored graph but no logits
    try {
      const r = await fixture.app.inject({
        method: 'POST',
        url: '/v1/predict/nodes',
        payload: { node_ids: [0], ood_score: true },
      });
      assert.equal(r.statusCode, 503, r.body);
      assert.equal(r.json().field, 'ood_score');
      assert.match(
        r.json().error,
        /does not expose its stored graph and logits, so OOD scores are not available; send ood_score: false/,
      );
    } finally {
      await fixture.app.close();
    }
  });

  it('the loader serves a checkpoint with its fitted temperature, natively and in ONNX', async () => {
    for (const runtime of ['native', 'onnx'] as const) {
      const m = await loadServedModel(ckptPath, { runtime });
      try {
        assert.equal(m.temperature, T, runtime);
        const p = await m.predictSubgraph(x, n, src, dst);
        const want = softmax64(native.logitsSubgraph(x, n, src, dst), data.numClasses, T);
        assert.ok(maxDiff(p, want) < 1e-5, `${runtime}: max |Δp| = ${maxDiff(p, want)}`);
      } finally {
        await m.close?.();
      }
    }
  });

  it('ONNX export: a Div by T before the Softmax; the file and the ONNX runtime match native with T', async () => {
    const weights = gcnWeightsFromCheckpoint(readCheckpoint(ckptPath));
    const bytes = exportGcnOnnx(weights, {}, { temperature: T });
    const proto = decodeModel(bytes);
    assert.deepEqual(
      proto.graph.output.map((o) => o.name),
      ['probabilities', 'logits'],
    );
    const softmax = proto.graph.node.find((nd) => nd.opType === 'Softmax');
    const div = proto.graph.node.find((nd) => nd.output[0] === softmax?.input[0]);
    assert.equal(div?.opType, 'Div');
    assert.ok(proto.metadataProps?.some((p) => p.key === 'temperature' && p.value === String(T)));

    // the file on its own, as a user outside gnnops runs it
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const out = await session.run({
      x: new ort.Tensor('float32', x, [n, data.numFeatures]),
      edge_index: new ort.Tensor('int64', BigInt64Array.from([...src, ...dst].map(BigInt)), [2, src.length]),
    });
    await session.release();
    const nativeCal = native.predictSubgraph(x, n, src, dst);
    assert.ok(maxDiff(out.probabilities.data as Float32Array, nativeCal) < 1e-5);
    assert.ok(maxDiff(out.logits.data as Float32Array, native.logitsSubgraph(x, n, src, dst)) < 1e-4);

    // the ONNX runtime behind the server, calibrated and raw, subgraphs and stored nodes
    const onnx = await onnxServedModel({
      name: 'calib',
      version: '1',
      model: bytes,
      temperature: T,
      numFeatures: data.numFeatures,
      numClasses: data.numClasses,
      graph: data,
    });
    const s = await tinyApp({ model: onnx });
    try {
      const ids = [0, 7, 42];
      for (const calibrated of [true, false]) {
        const r = await s.app.inject({ method: 'POST', url: '/predict', payload: { ...body(), calibrated } });
        assert.equal(r.json().temperature, calibrated ? T : 1);
        const want = softmax64(native.logitsSubgraph(x, n, src, dst), data.numClasses, calibrated ? T : 1);
        assert.ok(maxDiff((r.json().probabilities as number[][]).flat(), want) < 1e-5);
        const q = await s.app.inject({
          method: 'POST',
          url: '/v1/predict/nodes',
          payload: { node_ids: ids, calibrated },
        });
        const wantNodes = softmax64(native.logitsNodes(Int32Array.from(ids)), data.numClasses, calibrated ? T : 1);
        const got = (q.json().predictions as { probabilities: number[] }[]).flatMap((p) => p.probabilities);
        assert.ok(maxDiff(got, wantNodes) < 1e-5);
      }
    } finally {
      await s.app.close();
    }
  });

  it('ood_score: off by default; on request, GNNSafe scores over the subgraph or the stored graph', async () => {
    const s = await tinyApp({ model: served() });
    const fixture = await tinyApp(); // the mean-model fixture has no logits
    try {
      const C = data.numClasses;
      const off = await s.app.inject({ method: 'POST', url: '/predict', payload: body() });
      assert.equal(off.json().ood_score, undefined);
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: { ...body(), ood_score: true } });
      assert.equal(r.statusCode, 200, r.body);
      const want = oodScores(native.logitsSubgraph(x, n, src, dst), C, src, dst);
      assert.ok(maxDiff(r.json().ood_score, want) < 1e-9);
      // the score does not depend on the calibration switch (its own temperature is GNNSafe's T = 1)
      const raw = await s.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { ...body(), ood_score: true, calibrated: false },
      });
      assert.deepEqual(raw.json().ood_score, r.json().ood_score);

      const ids = [0, 7, 42];
      const q = await s.app.inject({
        method: 'POST',
        url: '/v1/predict/nodes',
        payload: { node_ids: ids, ood_score: true },
      });
      assert.equal(q.statusCode, 200, q.body);
      const all = Int32Array.from({ length: data.numNodes }, (_, i) => i);
      const full = propagateEnergyCsr(
        energyScores(native.logitsNodes(all), data.numNodes, C),
        data.indptr,
        data.indices,
      );
      assert.ok(
        maxDiff(
          (q.json().predictions as { ood_score: number }[]).map((p) => p.ood_score),
          ids.map((i) => full[i]),
        ) < 1e-9,
      );

      const no = await fixture.app.inject({
        method: 'POST',
        url: '/predict',
        payload: { ...tinyBody, ood_score: true },
      });
      assert.equal(no.statusCode, 503);
      assert.equal(no.json().field, 'ood_score');
      assert.match(no.json().error, /gives no logits/);
    } finally {
      await s.app.close();
      await fixture.app.close();
    }
  });

  it('serve.ood_score = true adds the score by default', async () => {
    const s = await tinyApp({ model: served(), config: { ood_score: true } });
    try {
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: body() });
      assert.equal(r.json().ood_score.length, n);
      const q = await s.app.inject({
        method: 'POST',
        url: '/v1/predict/nodes',
        payload: { node_ids: [3], ood_score: false },
      });
      assert.equal(q.json().predictions[0].ood_score, undefined);
    } finally {
      await s.app.close();
    }
  });

  it('refuses a temperature that is not finite and > 0 at export', () => {
    const weights = gcnWeightsFromCheckpoint(readCheckpoint(ckptPath));
    assert.throws(() => exportGcnOnnx(weights, {}, { temperature: 0 }), /temperature: 0 is not a finite number > 0/);
  });
});

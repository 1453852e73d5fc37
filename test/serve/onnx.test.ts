import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportGcnOnnx } from '../../src/nn/export/onnx/gcn.js';
import { decodeModel } from '../../src/nn/export/onnx/proto.js';
import { onnxSubgraphRunner } from '../../src/serve/onnx/runtime.js';
import { onnxServedModel } from '../../src/serve/onnx/served-model.js';
import { randomGraph } from './fixtures/mean-model.js';
import { randomGcn, referenceGcn, rng } from './fixtures/random-gcn.js';
import { tinyApp } from './helpers.js';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ONNX export of a GCN (opset 18) and ONNX Runtime parity', () => {
  it('writes a valid ModelProto: opset 18, IR 8, inputs x / edge_index, output probabilities', () => {
    const m = decodeModel(exportGcnOnnx(randomGcn([4, 3, 2], 1), { model: 'test/1' }));
    assert.equal(m.irVersion, 8);
    assert.deepEqual(m.opsetImport, [{ version: 18 }]);
    assert.deepEqual(
      m.graph.input.map((i) => i.name),
      ['x', 'edge_index'],
    );
    assert.ok(m.graph.node.some((n) => n.opType === 'ScatterElements'));
    assert.deepEqual(
      m.graph.output.map((o) => o.name),
      ['probabilities', 'logits'],
    );
    assert.deepEqual(m.metadataProps, [
      { key: 'model', value: 'test/1' },
      { key: 'temperature', value: '1' },
    ]);
  });

  it('matches the reference forward (max |Δp| < 1e-5) on self-loops, duplicates, isolated nodes and E = 0', async () => {
    const w = randomGcn([6, 5, 3], 2);
    const runner = await onnxSubgraphRunner(exportGcnOnnx(w));
    const r = rng(3);
    try {
      const cases = [
        // node 3 isolated, an existing self-loop on 1, a duplicated edge 0 → 2
        { n: 4, src: [0, 1, 0, 0, 2], dst: [1, 1, 2, 2, 0] },
        { n: 1, src: [], dst: [] },
        { n: 7, src: [0, 1, 2, 3, 4, 5, 6, 3], dst: [1, 2, 3, 4, 5, 6, 0, 3] },
      ];
      for (const c of cases) {
        const x = Float32Array.from({ length: c.n * 6 }, () => r() * 2 - 1);
        const src = Int32Array.from(c.src);
        const dst = Int32Array.from(c.dst);
        const got = await runner.run(x, c.n, 6, src, dst);
        const want = referenceGcn(w, x, c.n, src, dst);
        assert.ok(maxDiff(got, want) < 1e-5, `n=${c.n}: max |Δp| = ${maxDiff(got, want)}`);
      }
    } finally {
      await runner.close();
    }
  });

  it('serves through the app: /predict and node queries agree with the reference (300 → 64 → 10)', async () => {
    const w = randomGcn([300, 64, 10], 4);
    const graph = randomGraph(200, 300, 5, 9);
    const model = await onnxServedModel({
      name: 'tiny',
      version: 'onnx',
      model: exportGcnOnnx(w),
      numFeatures: 300,
      numClasses: 10,
      graph,
    });
    const s = await tinyApp({ model });
    try {
      const r = rng(5);
      const n = 20;
      const x = Array.from({ length: n }, () => Array.from({ length: 300 }, () => r() * 2 - 1));
      const src = Array.from({ length: 60 }, () => Math.floor(r() * n));
      const dst = Array.from({ length: 60 }, () => Math.floor(r() * n));
      const res = await s.app.inject({ method: 'POST', url: '/predict', payload: { x, edge_index: [src, dst] } });
      assert.equal(res.statusCode, 200);
      const want = referenceGcn(w, Float32Array.from(x.flat()), n, Int32Array.from(src), Int32Array.from(dst));
      const got = (res.json().probabilities as number[][]).flat();
      assert.ok(maxDiff(got, want) < 1e-4, `max |Δp| = ${maxDiff(got, want)}`);

      // node queries come from the full-graph forward computed at load
      const E = graph.indptr[graph.numNodes];
      const gs = new Int32Array(E);
      const gd = new Int32Array(E);
      for (let i = 0; i < graph.numNodes; i++) {
        for (let p = graph.indptr[i]; p < graph.indptr[i + 1]; p++) {
          gs[p] = graph.indices[p];
          gd[p] = i;
        }
      }
      const fullRef = referenceGcn(w, graph.features, graph.numNodes, gs, gd);
      const nodes = await s.app.inject({
        method: 'POST',
        url: '/v1/predict/nodes',
        payload: { node_ids: [0, 57, 199] },
      });
      const preds = nodes.json().predictions as { node_id: number; probabilities: number[] }[];
      for (const p of preds) {
        assert.ok(maxDiff(p.probabilities, fullRef.subarray(p.node_id * 10, p.node_id * 10 + 10)) < 1e-4);
      }
    } finally {
      await s.app.close();
    }
  });
});

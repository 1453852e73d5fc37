import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { numericColumnDrift } from '../../src/monitor/column-drift.js';
import { csrDegrees } from '../../src/monitor/graph-stats.js';
import {
  egoNodes,
  featureStd,
  makeRequestSampler,
  requestShapedStructure,
  simulateTraffic,
} from '../../src/monitor/simulate.js';
import { buildSketch } from '../../src/monitor/sketch.js';

const graph = wikicsFromJson(generateSynthetic({ nodes: 400, features: 6, splits: 1, seed: 3 }), { source: 'test' });

describe('drifted request sampler', () => {
  it('builds valid ego subgraphs: root first, local edge indices, every edge present in the graph', () => {
    const next = makeRequestSampler(graph, { hops: 2, maxNodes: 50, seed: 1 });
    for (let k = 0; k < 20; k++) {
      const r = next();
      const nodes = egoNodes(graph, r.root, 2, 50);
      assert.equal(nodes[0], r.root);
      assert.equal(r.x.length, nodes.length);
      const [src, dst] = r.edge_index;
      assert.equal(src.length, dst.length);
      for (let e = 0; e < src.length; e++) {
        const u = nodes[dst[e]];
        const v = nodes[src[e]];
        const nbrs = graph.indices.subarray(graph.indptr[u], graph.indptr[u + 1]);
        assert.ok(nbrs.includes(v), `edge ${v}→${u} not in graph`);
      }
    }
  });

  it('shifts the drifted features by shift × std and leaves the others alone', () => {
    const std = featureStd(graph);
    const clean = makeRequestSampler(graph, { seed: 5, hops: 0 });
    const shifted = makeRequestSampler(graph, { seed: 5, hops: 0, shift: 2, fraction: 0.5 });
    for (let k = 0; k < 10; k++) {
      const a = clean().x[0];
      const b = shifted().x[0];
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(b[j] - a[j] - 2 * std[j]) < 1e-9);
      for (let j = 3; j < 6; j++) assert.equal(b[j], a[j]);
    }
  });

  it('roots the requested share of traffic at the chosen class', () => {
    const next = makeRequestSampler(graph, { seed: 2, hops: 0, classMix: 0.6, toClass: 4 });
    let hits = 0;
    const n = 1000;
    for (let k = 0; k < n; k++) if (graph.labels[next().root] === 4) hits++;
    const base = Array.from(graph.labels).filter((y) => y === 4).length / graph.numNodes;
    const expected = 0.6 + 0.4 * base;
    assert.ok(Math.abs(hits / n - expected) < 0.05, `share ${hits / n} vs ${expected}`);
  });
});

describe('request-shaped reference structure', () => {
  it('matches clean request traffic, where full-graph degrees would raise a false structure alarm', () => {
    const ref = requestShapedStructure(graph, { hops: 2, maxNodes: 60, samples: 600, seed: 1 });
    const traffic = requestShapedStructure(graph, { hops: 2, maxNodes: 60, samples: 400, seed: 99 });
    const sorted = (a: Int32Array) => Float64Array.from(a).sort();
    const same = numericColumnDrift(buildSketch(sorted(ref.degrees)), sorted(traffic.degrees));
    assert.equal(same.drifted, false, `score ${same.score}`);
    const sizes = numericColumnDrift(buildSketch(sorted(ref.subgraphSizes)), sorted(traffic.subgraphSizes));
    assert.equal(sizes.drifted, false, `score ${sizes.score}`);
    const full = numericColumnDrift(buildSketch(sorted(csrDegrees(graph.indptr))), sorted(traffic.degrees));
    assert.equal(full.drifted, true, `score ${full.score}`);
  });
});

describe('simulateTraffic', () => {
  it('posts /predict bodies with bounded concurrency and tallies statuses and predicted classes', async () => {
    let inFlight = 0;
    let peak = 0;
    let bodies = 0;
    const server = createServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const body = JSON.parse(text) as { x: number[][]; edge_index: number[][]; root?: number };
        assert.equal(req.url, '/predict');
        assert.equal(req.headers.authorization, 'Bearer k1');
        assert.equal(body.root, undefined);
        bodies++;
        const nth = bodies;
        setTimeout(() => {
          inFlight--;
          if (nth % 5 === 0) {
            res.writeHead(503).end('{}');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ node_predictions: body.x.map(() => 1) }));
        }, 2);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const result = await simulateTraffic(makeRequestSampler(graph, { hops: 1, maxNodes: 5 }), {
        url: `http://127.0.0.1:${port}/`,
        requests: 40,
        concurrency: 3,
        apiKey: 'k1',
      });
      assert.equal(result.sent, 40);
      assert.equal(result.ok + result.failed, 40);
      assert.equal(result.statuses['503'], 8);
      assert.equal(result.ok, 32);
      assert.ok((result.predictedClasses['1'] ?? 0) >= 32);
      assert.ok(peak <= 3);
    } finally {
      server.close();
    }
  });

  it('scores the answers: mean served top-class probability beside the accuracy against the graph’s labels', async () => {
    // A server that answers class 1 with probability 0.8 for every node: the estimate is 0.8 and the realised
    // accuracy is the share of served nodes whose label is 1, recounted from the same seeded requests.
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const body = JSON.parse(text) as { x: number[][]; nodes?: unknown };
        assert.equal(body.nodes, undefined, 'the reference-graph ids are not sent');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            node_predictions: body.x.map(() => 1),
            probabilities: body.x.map(() => [0.1, 0.8, 0.1]),
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const spec = { hops: 1, maxNodes: 6, seed: 4 };
      const result = await simulateTraffic(makeRequestSampler(graph, spec), {
        url: `http://127.0.0.1:${port}`,
        requests: 30,
        concurrency: 1,
        labels: graph.labels,
      });
      const replay = makeRequestSampler(graph, spec);
      let n = 0;
      let ones = 0;
      for (let i = 0; i < 30; i++)
        for (const u of replay().nodes) {
          n++;
          if (graph.labels[u] === 1) ones++;
        }
      assert.equal(result.accuracy.n, n);
      assert.ok(Math.abs((result.accuracy.estimated ?? 0) - 0.8) < 1e-12);
      assert.equal(result.accuracy.realised, ones / n);
      assert.ok(ones > 0 && ones < n, 'the graph has nodes of class 1 and of others');
      const unlabelled = await simulateTraffic(makeRequestSampler(graph, spec), {
        url: `http://127.0.0.1:${port}`,
        requests: 3,
        concurrency: 1,
      });
      assert.equal(unlabelled.accuracy.realised, null);
    } finally {
      server.close();
    }
  });
});

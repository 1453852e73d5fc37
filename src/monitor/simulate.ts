/**
 * Drifted traffic for a running server (`gnnops drift simulate`): ego subgraphs of a reference graph, with the
 * drifts a monitor must catch applied to them:
 * - feature shift: + shift × (feature std) on a share of the feature columns;
 * - noise: + noise × (feature std) × N(0, 1) on the same columns;
 * - class-mix change: a share of requests are rooted at nodes of one class (`toClass`), so the served class
 *   distribution moves the way a real population change would move it.
 * Requests use the /predict contract: `{x: n × F, edge_index: [sources, targets]}`.
 */
import type { GraphData } from '../data/graph.js';
import { gaussian, makeRng } from './synthetic.js';

export interface SimulateSpec {
  shift?: number;
  noise?: number;
  /** Share of feature columns drifted (default 1). */
  fraction?: number;
  /** Share of requests rooted at a node of class `toClass` (default 0). */
  classMix?: number;
  toClass?: number;
  /** Hops of the ego subgraph (default 2). */
  hops?: number;
  /** Cap on nodes per subgraph (default 200; BFS order, so the root and its nearest neighbours stay). */
  maxNodes?: number;
  seed?: number;
}

export interface SubgraphRequest {
  x: number[][];
  edge_index: [number[], number[]];
  /** The root node in the reference graph (not sent). */
  root: number;
  /** The reference-graph node of each row of `x` (not sent): where the true labels of the answers are. */
  nodes: number[];
}

type Graph = Pick<GraphData, 'numNodes' | 'numFeatures' | 'features' | 'indptr' | 'indices' | 'labels'>;

/** Per-feature population std of the graph's features. */
export function featureStd(g: Graph): Float64Array {
  const { numNodes: n, numFeatures: f, features } = g;
  const s = new Float64Array(f);
  const ss = new Float64Array(f);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < f; j++) {
      const v = features[i * f + j];
      s[j] += v;
      ss[j] += v * v;
    }
  return Float64Array.from(s, (sum, j) => Math.sqrt(Math.max(ss[j] / n - (sum / n) ** 2, 0)));
}

/** Nodes within `hops` of `root` in BFS order, at most `maxNodes`. */
export function egoNodes(g: Graph, root: number, hops: number, maxNodes: number): number[] {
  const seen = new Map<number, number>([[root, 0]]);
  const order = [root];
  let frontier = [root];
  for (let h = 0; h < hops && order.length < maxNodes; h++) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let e = g.indptr[u]; e < g.indptr[u + 1] && order.length < maxNodes; e++) {
        const v = g.indices[e];
        if (!seen.has(v)) {
          seen.set(v, order.length);
          order.push(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return order;
}

/** Edges among `nodes` in local indices, messages flowing neighbour → node (the CSR is symmetric). */
export function localEdges(g: Graph, nodes: readonly number[]): [number[], number[]] {
  const local = new Map(nodes.map((u, i) => [u, i]));
  const src: number[] = [];
  const dst: number[] = [];
  nodes.forEach((u, i) => {
    for (let e = g.indptr[u]; e < g.indptr[u + 1]; e++) {
      const j = local.get(g.indices[e]);
      if (j !== undefined) {
        src.push(j);
        dst.push(i);
      }
    }
  });
  return [src, dst];
}

/** A generator of drifted /predict requests over the graph. */
export function makeRequestSampler(g: Graph, spec: SimulateSpec): () => SubgraphRequest {
  const rng = makeRng(spec.seed ?? 1);
  const std = featureStd(g);
  const f = g.numFeatures;
  const affected = Math.round(f * (spec.fraction ?? 1));
  const shift = spec.shift ?? 0;
  const noise = spec.noise ?? 0;
  const hops = spec.hops ?? 2;
  const maxNodes = spec.maxNodes ?? 200;
  const pool: number[] = [];
  if (spec.classMix && spec.classMix > 0) {
    for (let i = 0; i < g.numNodes; i++) if (g.labels[i] === (spec.toClass ?? 0)) pool.push(i);
  }
  return () => {
    const root =
      pool.length > 0 && rng() < (spec.classMix ?? 0)
        ? pool[Math.floor(rng() * pool.length)]
        : Math.floor(rng() * g.numNodes);
    const nodes = egoNodes(g, root, hops, maxNodes);
    const x = nodes.map((u) => {
      const row = Array.from(g.features.subarray(u * f, (u + 1) * f));
      for (let j = 0; j < affected; j++) row[j] += shift * std[j] + (noise ? noise * std[j] * gaussian(rng) : 0);
      return row;
    });
    return { x, edge_index: localEdges(g, nodes), root, nodes };
  };
}

export interface SimulateResult {
  sent: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  /** Served predictions per class id, over all nodes of the successful requests. */
  predictedClasses: Record<string, number>;
  /**
   * Over all nodes of the successful requests: the label-free estimate (mean served top-class probability) and,
   * when the graph's labels are given, the realised accuracy against them.
   */
  accuracy: { n: number; estimated: number | null; realised: number | null };
  seconds: number;
}

export interface SimulateOptions {
  url: string;
  requests: number;
  concurrency: number;
  apiKey?: string;
  /** True class per reference-graph node: the served answers are scored against them. */
  labels?: ArrayLike<number>;
  /** Injected for tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

/** Send `requests` drifted subgraphs to POST {url}/predict with bounded concurrency. */
export async function simulateTraffic(next: () => SubgraphRequest, o: SimulateOptions): Promise<SimulateResult> {
  const doFetch = o.fetchImpl ?? fetch;
  const endpoint = `${o.url.replace(/\/+$/, '')}/predict`;
  const res: SimulateResult = {
    sent: 0,
    ok: 0,
    failed: 0,
    statuses: {},
    predictedClasses: {},
    accuracy: { n: 0, estimated: null, realised: null },
    seconds: 0,
  };
  let confSum = 0;
  let right = 0;
  const t0 = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  const worker = async () => {
    while (res.sent < o.requests) {
      res.sent++;
      const { root: _root, nodes, ...body } = next();
      try {
        const r = await doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body) });
        res.statuses[r.status] = (res.statuses[r.status] ?? 0) + 1;
        if (r.ok) {
          res.ok++;
          const j = (await r.json()) as { node_predictions?: number[]; probabilities?: number[][] };
          const preds = j.node_predictions ?? [];
          preds.forEach((p, i) => {
            res.predictedClasses[p] = (res.predictedClasses[p] ?? 0) + 1;
            const row = j.probabilities?.[i];
            if (row) confSum += Math.max(...row);
            if (o.labels && o.labels[nodes[i]] === p) right++;
          });
          res.accuracy.n += preds.length;
        } else {
          res.failed++;
          await r.arrayBuffer();
        }
      } catch {
        res.failed++;
        res.statuses.network = (res.statuses.network ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  res.seconds = (performance.now() - t0) / 1000;
  const n = res.accuracy.n;
  if (n > 0) res.accuracy = { n, estimated: confSum / n, realised: o.labels ? right / n : null };
  return res;
}

/**
 * Structure statistics as the server logs them for subgraph requests: for `samples` ego subgraphs (same hops and
 * node cap as the traffic), the in-degree of every node within its request's edge_index, and the node count of
 * each request. A reference built this way matches clean request traffic; full-graph degrees would not (nodes
 * at the subgraph's edge only see part of their neighbourhood).
 */
export function requestShapedStructure(
  g: Graph,
  opts: { hops?: number; maxNodes?: number; samples?: number; seed?: number } = {},
): { degrees: Int32Array; subgraphSizes: Int32Array } {
  const rng = makeRng(opts.seed ?? 12345);
  const samples = opts.samples ?? 2000;
  const degrees: number[] = [];
  const sizes = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    // Same roots and subgraphs as clean traffic from makeRequestSampler, without building feature rows.
    const nodes = egoNodes(g, Math.floor(rng() * g.numNodes), opts.hops ?? 2, opts.maxNodes ?? 200);
    const indeg = new Int32Array(nodes.length);
    for (const t of localEdges(g, nodes)[1]) indeg[t]++;
    for (const d of indeg) degrees.push(d);
    sizes[s] = nodes.length;
  }
  return { degrees: Int32Array.from(degrees), subgraphSizes: sizes };
}

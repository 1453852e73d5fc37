/**
 * Descriptive statistics of a graph: sizes, edges and self-loops, degrees, homophily, class balance per split
 * and a feature summary. Pure computation over GraphData (no I/O); `stats-charts.ts` draws them.
 *
 * Definitions:
 * - edge entries = CSR entries (each undirected edge counts twice, a self-loop once);
 *   undirected edges = unordered pairs {u, v}, u ≠ v, linked in either direction; self-loops are counted apart;
 * - degree of i = its CSR neighbours other than itself (out-degree for a directed graph); isolated = no neighbour
 *   in either direction;
 * - edge homophily h = |{(u,v) : y_u = y_v}| / |E| over non-loop entries with both ends labelled (Zhu et al. 2020);
 *   class homophily h_c = the same ratio over entries leaving class c; node homophily = mean over nodes of the
 *   share of same-label neighbours (Pei et al. 2020); class-insensitive homophily
 *   ĥ = 1/(C−1) Σ_c max(0, h_c − n_c/n) (Lim et al. 2021), which is 0 for a graph wired at random.
 */
import type { GraphData } from './graph.js';
import { numEdgeEntries } from './graph.js';

export interface Summary {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface SplitSetSummary {
  /** Nodes in the set, over the splits. */
  size: Summary;
  /** Mean count per class over the splits. */
  perClassMean: number[];
  perClassMin: number[];
  perClassMax: number[];
}

export interface GraphStats {
  dataset: { name: string; hash: string; synthetic: boolean; source?: string; undirected: boolean };
  nodes: number;
  features: number;
  classes: number;
  classNames: string[];
  edges: {
    entries: number;
    undirected: number;
    /** Non-loop entries whose reverse entry is present (1 for a symmetric graph). */
    reciprocity: number;
    selfLoops: number;
    rawLinkEntries?: number;
    isolatedNodes: number;
  };
  degree: Summary & {
    /** Log-2 bins for the degree histogram: bin i covers [edges[i], edges[i+1]); degree 0 is counted apart. */
    histogram: { edges: number[]; counts: number[]; zero: number };
    inDegree?: Summary;
  };
  homophily: {
    edge: number;
    node: number;
    classInsensitive: number;
    perClass: { class: number; name: string; homophily: number; entries: number; share: number }[];
  };
  labels: { counts: number[]; unlabeled: number };
  splits: {
    count: number;
    stoppingMask: 'stopping' | 'val';
    train: SplitSetSummary;
    val: SplitSetSummary;
    stopping: SplitSetSummary;
    test: { size: number; perClass: number[] };
    /** Nodes of a split's train/val/stopping also in the test set, summed over splits (0 for a sound split). */
    testOverlap: number;
  };
  featureSummary: {
    mean: number;
    std: number;
    min: number;
    max: number;
    /** Share of non-zero entries. */
    density: number;
    zeroRows: number;
    binary: boolean;
    /** Range of the per-dimension means and standard deviations. */
    dimMean: { min: number; max: number };
    dimStd: { min: number; max: number };
    meanRowL2: number;
  };
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { min: sorted[0], median, mean: sum / n, max: sorted[n - 1] };
}

function hasEntry(g: GraphData, u: number, v: number): boolean {
  let lo = g.indptr[u];
  let hi = g.indptr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = g.indices[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function edgeStats(g: GraphData) {
  const n = g.numNodes;
  const deg = new Int32Array(n);
  const inDeg = new Int32Array(n);
  let pairs = 0;
  let nonLoop = 0;
  let reciprocated = 0;
  for (let u = 0; u < n; u++) {
    for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) {
      const v = g.indices[k];
      if (v === u) continue;
      deg[u]++;
      inDeg[v]++;
      nonLoop++;
      const back = g.undirected || hasEntry(g, v, u);
      if (back) reciprocated++;
      // Count each unordered pair once: from its smaller end, or from the larger one when there is no reverse.
      if (u < v || !back) pairs++;
    }
  }
  let isolated = 0;
  for (let i = 0; i < n; i++) if (deg[i] === 0 && inDeg[i] === 0) isolated++;
  return { deg, inDeg, pairs, reciprocity: nonLoop ? reciprocated / nonLoop : 1, isolated };
}

function log2Histogram(deg: Int32Array): { edges: number[]; counts: number[]; zero: number } {
  let max = 0;
  let zero = 0;
  for (const d of deg) {
    if (d === 0) zero++;
    if (d > max) max = d;
  }
  const edges = [1];
  while (edges[edges.length - 1] <= max) edges.push(edges[edges.length - 1] * 2);
  if (edges.length < 2) edges.push(2);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const d of deg) if (d > 0) counts[Math.floor(Math.log2(d))]++;
  return { edges, counts, zero };
}

function homophily(g: GraphData, labelCounts: number[], labelled: number) {
  const C = g.numClasses;
  const out = new Float64Array(C);
  const same = new Float64Array(C);
  let nodeSum = 0;
  let nodeCount = 0;
  for (let u = 0; u < g.numNodes; u++) {
    const yu = g.labels[u];
    if (yu < 0) continue;
    let s = 0;
    let t = 0;
    for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) {
      const v = g.indices[k];
      const yv = g.labels[v];
      if (v === u || yv < 0) continue;
      t++;
      if (yv === yu) s++;
    }
    out[yu] += t;
    same[yu] += s;
    if (t > 0) {
      nodeSum += s / t;
      nodeCount++;
    }
  }
  const totalOut = out.reduce((a, b) => a + b, 0);
  const totalSame = same.reduce((a, b) => a + b, 0);
  const perClass = Array.from({ length: C }, (_, c) => ({
    class: c,
    name: g.classNames?.[c] ?? String(c),
    homophily: out[c] ? same[c] / out[c] : 0,
    entries: out[c],
    share: labelled ? labelCounts[c] / labelled : 0,
  }));
  const classInsensitive = C > 1 ? perClass.reduce((a, p) => a + Math.max(0, p.homophily - p.share), 0) / (C - 1) : 0;
  return {
    edge: totalOut ? totalSame / totalOut : 0,
    node: nodeCount ? nodeSum / nodeCount : 0,
    classInsensitive,
    perClass,
  };
}

function classCounts(labels: Int32Array, C: number, mask?: Uint8Array): number[] {
  const c = new Array<number>(C).fill(0);
  for (let i = 0; i < labels.length; i++) if ((!mask || mask[i]) && labels[i] >= 0) c[labels[i]]++;
  return c;
}

function setSummary(g: GraphData, pick: (s: GraphData['splits'][number]) => Uint8Array): SplitSetSummary {
  const C = g.numClasses;
  const per = g.splits.map((s) => classCounts(g.labels, C, pick(s)));
  const sizes = g.splits.map((s) => pick(s).reduce((a, b) => a + b, 0));
  const col = (c: number) => per.map((p) => p[c]);
  return {
    size: summarize(sizes),
    perClassMean: Array.from({ length: C }, (_, c) => summarize(col(c)).mean),
    perClassMin: Array.from({ length: C }, (_, c) => Math.min(...col(c))),
    perClassMax: Array.from({ length: C }, (_, c) => Math.max(...col(c))),
  };
}

function featureSummary(g: GraphData): GraphStats['featureSummary'] {
  const { numNodes: n, numFeatures: f, features: x } = g;
  const dimSum = new Float64Array(f);
  const dimSq = new Float64Array(f);
  let sum = 0;
  let sq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nnz = 0;
  let zeroRows = 0;
  let binary = true;
  let l2 = 0;
  for (let i = 0; i < n; i++) {
    let rowNnz = 0;
    let rowSq = 0;
    const base = i * f;
    for (let j = 0; j < f; j++) {
      const v = x[base + j];
      sum += v;
      sq += v * v;
      dimSum[j] += v;
      dimSq[j] += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v !== 0) {
        rowNnz++;
        if (v !== 1) binary = false;
      }
      rowSq += v * v;
    }
    nnz += rowNnz;
    if (rowNnz === 0) zeroRows++;
    l2 += Math.sqrt(rowSq);
  }
  const total = n * f;
  const mean = total ? sum / total : 0;
  const dimMeans = Array.from(dimSum, (s) => (n ? s / n : 0));
  const dimStds = Array.from(dimSq, (s, j) => Math.sqrt(Math.max(0, (n ? s / n : 0) - dimMeans[j] ** 2)));
  return {
    mean,
    std: Math.sqrt(Math.max(0, (total ? sq / total : 0) - mean * mean)),
    min: total ? min : 0,
    max: total ? max : 0,
    density: total ? nnz / total : 0,
    zeroRows,
    binary,
    dimMean: { min: Math.min(...dimMeans), max: Math.max(...dimMeans) },
    dimStd: { min: Math.min(...dimStds), max: Math.max(...dimStds) },
    meanRowL2: n ? l2 / n : 0,
  };
}

/** Compute every statistic of a graph. O(nodes × features + edges). */
export function graphStats(g: GraphData): GraphStats {
  const e = edgeStats(g);
  const counts = classCounts(g.labels, g.numClasses);
  const labelled = counts.reduce((a, b) => a + b, 0);
  let testOverlap = 0;
  for (const s of g.splits) {
    for (let i = 0; i < g.numNodes; i++) if (g.testMask[i] && (s.train[i] || s.val[i] || s.stopping[i])) testOverlap++;
  }
  return {
    dataset: {
      name: g.name,
      hash: g.hash,
      synthetic: g.synthetic ?? false,
      ...(g.source ? { source: g.source } : {}),
      undirected: g.undirected,
    },
    nodes: g.numNodes,
    features: g.numFeatures,
    classes: g.numClasses,
    classNames: Array.from({ length: g.numClasses }, (_, c) => g.classNames?.[c] ?? String(c)),
    edges: {
      entries: numEdgeEntries(g),
      undirected: e.pairs,
      reciprocity: e.reciprocity,
      selfLoops: g.selfLoops,
      ...(g.rawEdgeEntries !== undefined ? { rawLinkEntries: g.rawEdgeEntries } : {}),
      isolatedNodes: e.isolated,
    },
    degree: {
      ...summarize(e.deg),
      histogram: log2Histogram(e.deg),
      ...(g.undirected ? {} : { inDegree: summarize(e.inDeg) }),
    },
    homophily: homophily(g, counts, labelled),
    labels: { counts, unlabeled: g.numNodes - labelled },
    splits: {
      count: g.splits.length,
      stoppingMask: g.stoppingMask,
      train: setSummary(g, (s) => s.train),
      val: setSummary(g, (s) => s.val),
      stopping: setSummary(g, (s) => s.stopping),
      test: { size: g.testMask.reduce((a, b) => a + b, 0), perClass: classCounts(g.labels, g.numClasses, g.testMask) },
      testOverlap,
    },
    featureSummary: featureSummary(g),
  };
}

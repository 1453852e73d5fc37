/**
 * Perturbations of a graph for robustness curves ("how robust is the model to drift"). Each returns a new
 * GraphData that shares labels and masks with the original; features or adjacency are copied, never mutated.
 * All randomness comes from a seeded Rng, so a curve is reproducible. Sizes of feature perturbations are in units of
 * each feature's standard deviation (`featureStd`, shared with `drift simulate`).
 */
import type { GraphData } from '../../data/graph.js';
import { buildCsr, Rng } from '../../engine/index.js';

export { featureStd } from '../../monitor/simulate.js';

export type PerturbationKind = 'noise' | 'shift' | 'edge_removal' | 'edge_addition';

/** x + N(0, (level·std_j)²) per entry. */
export function addGaussianNoise(g: GraphData, level: number, std: Float64Array, seed: number): GraphData {
  const rng = new Rng(seed);
  const x = new Float32Array(g.features);
  const f = g.numFeatures;
  for (let k = 0; k < x.length; k++) x[k] += level * std[k % f] * rng.normal();
  return { ...g, features: x };
}

/** x + level·std_j on every feature: a covariate shift of every column by `level` standard deviations. */
export function shiftFeatures(g: GraphData, level: number, std: Float64Array): GraphData {
  const x = new Float32Array(g.features);
  const f = g.numFeatures;
  for (let k = 0; k < x.length; k++) x[k] += level * std[k % f];
  return { ...g, features: x };
}

/** Undirected pairs (u < v) of the adjacency, self-loops dropped. */
function undirectedPairs(g: GraphData): { src: Int32Array; dst: Int32Array; count: number } {
  const src: number[] = [];
  const dst: number[] = [];
  for (let u = 0; u < g.numNodes; u++) {
    for (let e = g.indptr[u]; e < g.indptr[u + 1]; e++) {
      const v = g.indices[e];
      if (u < v || (!g.undirected && u !== v)) {
        src.push(u);
        dst.push(v);
      }
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst), count: src.length };
}

function withEdges(g: GraphData, src: Int32Array, dst: Int32Array, count: number): GraphData {
  const csr = buildCsr(g.numNodes, src, dst, count, true);
  return { ...g, indptr: csr.indptr, indices: csr.indices, selfLoops: csr.selfLoops, undirected: true };
}

/** Remove a `fraction` of the undirected edges, chosen uniformly at random (both directions go together). */
export function removeEdges(g: GraphData, fraction: number, seed: number): GraphData {
  const rng = new Rng(seed);
  const { src, dst, count } = undirectedPairs(g);
  const keepSrc = new Int32Array(count);
  const keepDst = new Int32Array(count);
  let kept = 0;
  for (let k = 0; k < count; k++) {
    if (rng.next() >= fraction) {
      keepSrc[kept] = src[k];
      keepDst[kept] = dst[k];
      kept++;
    }
  }
  return withEdges(g, keepSrc, keepDst, kept);
}

/** Add `fraction` × |E| random undirected edges between uniformly chosen node pairs (noise edges, mostly heterophilous). */
export function addEdges(g: GraphData, fraction: number, seed: number): GraphData {
  const rng = new Rng(seed);
  const { src, dst, count } = undirectedPairs(g);
  const extra = Math.round(fraction * count);
  const s = new Int32Array(count + extra);
  const d = new Int32Array(count + extra);
  s.set(src);
  d.set(dst);
  for (let k = 0; k < extra; k++) {
    s[count + k] = rng.int(g.numNodes);
    d[count + k] = rng.int(g.numNodes);
  }
  return withEdges(g, s, d, count + extra);
}

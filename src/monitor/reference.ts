/**
 * The reference profile stored with every registered model version: the training graph's features,
 * the model's own predictions on it, request-shaped structure (degrees and sizes of ego subgraphs, as the
 * server logs them for /predict traffic) and, given the model's logits, its OOD scores as the server computes them
 * for node queries and for subgraph requests. Computed once at registration; drift reports read only the profile.
 */
import type { GraphData } from '../data/graph.js';
import { graphOodScores, OOD_DEFAULTS, oodScores } from './ood.js';
import { computeProfile, type OodScoresExtra, type ReferenceProfile } from './profile.js';
import { serializeProfile } from './profile-io.js';
import { egoNodes, localEdges, requestShapedStructure } from './simulate.js';
import { makeRng } from './synthetic.js';

/** Logits of a subgraph request (row-major n × C), as the served model computes them. */
export type SubgraphLogits = (
  x: Float32Array,
  n: number,
  src: Int32Array,
  dst: Int32Array,
) => Float32Array | Promise<Float32Array>;

/** The ego subgraphs of the reference: 2 hops, at most 200 nodes, as `drift simulate` sends them by default. */
const REQUEST_SHAPE = { hops: 2, maxNodes: 200, seed: 12345 } as const;

const OOD_SAMPLES = 500;

export interface ModelReferenceOptions {
  /** The model's predicted class per node. */
  predictions?: Int32Array;
  /** The model's row-major numNodes × numClasses logits on the whole graph: the node-query OOD reference. */
  logits?: Float32Array;
  /** The model's subgraph forward: the subgraph-request OOD reference (`oodSamples` ego subgraphs). */
  subgraphLogits?: SubgraphLogits;
  /** Ego subgraphs forwarded for the subgraph-request OOD reference (default 500, so that reports test it with KS). */
  oodSamples?: number;
  quantiles?: number;
  samples?: number;
}

/**
 * The mean OOD score of each of `samples` request-shaped ego subgraphs (the roots requestShapedStructure draws, in
 * the same order), each forwarded and scored over its own edges as the server scores a /predict request.
 */
export async function requestShapedOodScores(
  g: GraphData,
  logits: SubgraphLogits,
  samples: number,
): Promise<Float64Array> {
  const rng = makeRng(REQUEST_SHAPE.seed);
  const F = g.numFeatures;
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const nodes = egoNodes(g, Math.floor(rng() * g.numNodes), REQUEST_SHAPE.hops, REQUEST_SHAPE.maxNodes);
    const [src, dst] = localEdges(g, nodes);
    const x = new Float32Array(nodes.length * F);
    nodes.forEach((u, i) => {
      x.set(g.features.subarray(u * F, (u + 1) * F), i * F);
    });
    const z = await logits(x, nodes.length, Int32Array.from(src), Int32Array.from(dst));
    const s = oodScores(z, g.numClasses, src, dst);
    out.push(s.reduce((a, b) => a + b, 0) / s.length);
  }
  return Float64Array.from(out);
}

export async function modelReferenceProfile(
  graph: GraphData,
  opts: ModelReferenceOptions = {},
): Promise<ReferenceProfile> {
  const s = requestShapedStructure(graph, { ...REQUEST_SHAPE, samples: opts.samples ?? 2000 });
  const { predictions, logits, subgraphLogits } = opts;
  const ood: OodScoresExtra = {};
  if (logits) ood.nodes = graphOodScores(logits, graph.numNodes, graph.numClasses, graph.indptr, graph.indices);
  if (subgraphLogits)
    ood.subgraph = await requestShapedOodScores(graph, subgraphLogits, opts.oodSamples ?? OOD_SAMPLES);
  const scored = ood.nodes !== undefined || ood.subgraph !== undefined;
  return computeProfile(graph.features, graph.numNodes, graph.numFeatures, {
    degrees: s.degrees,
    subgraphSizes: s.subgraphSizes,
    ...(predictions ? { predictions, numClasses: graph.numClasses } : {}),
    ...(scored ? { ood } : {}),
    ...(opts.quantiles ? { quantiles: opts.quantiles } : {}),
    meta: {
      dataset: graph.name,
      datasetHash: graph.hash,
      ...(scored
        ? { ood: { ...OOD_DEFAULTS, subgraphs: { ...REQUEST_SHAPE, samples: opts.oodSamples ?? OOD_SAMPLES } } }
        : {}),
    },
  });
}

export async function modelReferenceProfileBytes(
  graph: GraphData,
  opts: ModelReferenceOptions = {},
): Promise<Uint8Array> {
  return Buffer.from(serializeProfile(await modelReferenceProfile(graph, opts)));
}

/**
 * One node's explanation end to end: its computation subgraph, the method's edge and feature importances, the
 * top-k edges, and the fidelity of those edges. Everything runs on the subgraph in local ids; the result is in
 * the graph's global ids.
 *
 * Fidelity (Yuan et al., "Explainability in Graph Neural Networks: A Taxonomic Survey", 2022, in its probability
 * form) is measured on the class the model predicts for the centre, c, with p_c the probability on the whole
 * computation subgraph:
 *   fidelity+ = p_c − p_c(subgraph without the top-k edges)      high: the edges the explanation names matter
 *   fidelity− = p_c − p_c(subgraph with only the top-k edges)    low: those edges alone keep the prediction
 *   random    = p_c − p_c(subgraph without k random edges), averaged over a few seeded draws: the baseline
 *               fidelity+ must beat for the ranking to say more than "removing k edges hurts"
 * Edges are removed through the layers' edge mask (the message is multiplied by 0), so the normalisation stays
 * the full graph's, as PyG's fidelity applies an explanation's hard mask. Features are left whole.
 */
import { type GraphStructure, Rng, softmaxRows, type Tape, type Tensor } from '../engine/index.js';
import type { NodeModel } from '../nn/models/model.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import {
  type ExplainMethod,
  GNN_EXPLAINER_DEFAULTS,
  type GnnExplainerOptions,
  gnnExplainer,
  type MethodInput,
  type RawExplanation,
  saliency,
} from './methods.js';
import { spreadEdges } from './ops.js';
import {
  type ComputationSubgraph,
  computationSubgraph,
  maskPositions,
  SubgraphContext,
  subgraphStructure,
} from './subgraph.js';

/** The architectures whose layers weight their messages by an edge mask (see nn/conv/edge-mask.ts). */
export const EXPLAINABLE_MODELS = ['gcn', 'sage', 'appnp'] as const;

/** The graph a model is explained on: its structure and row-major node features. */
export interface ExplainGraph {
  structure: GraphStructure;
  features: ArrayLike<number>;
  numFeatures: number;
}

export interface ExplainOptions {
  method: ExplainMethod;
  /** Edges ranked as the explanation (the fidelity's k); more than the subgraph has means all of them. */
  topK: number;
  /** Top features reported (by |importance|). */
  topFeatures?: number;
  /** Seeds GNNExplainer's initial masks and the random-k baseline. */
  seed?: number;
  /** Draws averaged for the random-k baseline. */
  randomDraws?: number;
  gnnExplainer?: Partial<Omit<GnnExplainerOptions, 'onEpoch' | 'seed'>>;
  /** A wall-clock budget per explanation; past it the explanation stops with `error()`. */
  timeLimit?: { ms: number; error: (node: number, elapsedMs: number) => GnnopsError };
}

export interface Fidelity {
  fidelity_plus: number;
  fidelity_minus: number;
  fidelity_random: number;
}

export interface NodeExplanation {
  node: number;
  method: ExplainMethod;
  /** The class explained: the model's prediction for the node. */
  predicted: number;
  /** Its probability on the whole computation subgraph (the full graph's, see subgraph.ts). */
  probability: number;
  hops: number;
  /** Global ids of the subgraph's nodes (the explained node first) and their hop distance from it. */
  nodes: Int32Array;
  distance: Int32Array;
  /** The explained edges in global ids, src[e] → dst[e], with one importance each. */
  src: Int32Array;
  dst: Int32Array;
  edgeImportance: Float64Array;
  /** Indices into the edges, most important first: the k edges fidelity is measured on. */
  topEdges: Int32Array;
  featureImportance: Float64Array;
  /** Feature columns with the largest |importance|, largest first. */
  topFeatures: Int32Array;
  fidelity: Fidelity;
  /** Wall time of the method and the fidelity passes. */
  ms: number;
}

/** Message-passing hops of a model: its graph layers, or APPNP's K propagation steps after an MLP. */
export function modelHops(model: NodeModel): number {
  if (model.config.name === 'appnp') return model.config.appnp_k;
  if (model.config.name === 'mlp') return 0;
  return model.stack.layers.length;
}

/** INVALID_ARGUMENT unless the model's layers take an edge mask. */
export function assertExplainable(model: NodeModel): void {
  const name = model.config.name;
  if (!(EXPLAINABLE_MODELS as readonly string[]).includes(name)) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `model: ${name} models cannot be explained: explanations weight the messages of each edge, which ${EXPLAINABLE_MODELS.join(', ')} layers support and ${name} layers do not`,
      { field: 'model', value: name, choices: [...EXPLAINABLE_MODELS] },
    );
  }
}

/** Explains `node` of `g` with `model` (evaluation mode) on `tape`. */
export function explainNode(
  tape: Tape,
  model: NodeModel,
  g: ExplainGraph,
  node: number,
  o: ExplainOptions,
): NodeExplanation {
  assertExplainable(model);
  const n0 = g.structure.numNodes;
  if (!(Number.isInteger(node) && node >= 0 && node < n0)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `node ${node} is outside 0..${n0 - 1}`, {
      field: 'node',
      value: node,
      limit: n0,
    });
  }
  if (!(Number.isInteger(o.topK) && o.topK >= 1))
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `top-k: ${o.topK} must be an integer ≥ 1`, { field: 'top_k' });
  const t0 = performance.now();
  const checkTime = (): void => {
    if (!o.timeLimit) return;
    const elapsed = performance.now() - t0;
    if (elapsed > o.timeLimit.ms) throw o.timeLimit.error(node, elapsed);
  };
  const hops = modelHops(model);
  const sg = computationSubgraph(g.structure, node, hops);
  const ctx = new SubgraphContext(tape.backend, subgraphStructure(sg), sg.outsideDegree);
  try {
    const x = localFeatures(g, sg);
    const positions = maskPositions(ctx, sg.src, sg.dst);
    const probe = new Probe(tape, model, ctx, x, g.numFeatures, positions);
    const base = probe.probabilities(null);
    const C = model.dims.numClasses;
    let predicted = 0;
    for (let c = 1; c < C; c++) if (base[c] > base[predicted]) predicted = c;
    const input: MethodInput = {
      tape,
      model,
      ctx,
      x,
      numFeatures: g.numFeatures,
      positions,
      target: predicted,
    };
    const seed = o.seed ?? 0;
    let raw: RawExplanation;
    if (o.method === 'saliency') raw = saliency(input);
    else
      raw = gnnExplainer(input, {
        ...GNN_EXPLAINER_DEFAULTS,
        ...o.gnnExplainer,
        seed,
        graphNodes: n0,
        onEpoch: checkTime,
      });
    checkTime();
    const topEdges = rankDescending(raw.edges, Math.min(o.topK, raw.edges.length));
    const fidelity = measureFidelity(probe, predicted, base[predicted], topEdges, {
      seed: seed ^ Math.imul(node + 1, 0x9e3779b1),
      draws: o.randomDraws ?? 5,
    });
    checkTime();
    const absF = raw.features.map(Math.abs);
    const topFeatures = rankDescending(absF, Math.min(o.topFeatures ?? 10, absF.length));
    return {
      node,
      method: o.method,
      predicted,
      probability: base[predicted],
      hops,
      nodes: sg.nodes,
      distance: sg.distance,
      src: sg.src.map((l) => sg.nodes[l]),
      dst: sg.dst.map((l) => sg.nodes[l]),
      edgeImportance: raw.edges,
      topEdges,
      featureImportance: raw.features,
      topFeatures,
      fidelity,
      ms: performance.now() - t0,
    };
  } finally {
    tape.reset();
    ctx.dispose();
  }
}

/** The mean of each fidelity over explanations (0 for none). */
export function meanFidelity(list: readonly { fidelity: Fidelity }[]): Fidelity {
  const out: Fidelity = { fidelity_plus: 0, fidelity_minus: 0, fidelity_random: 0 };
  if (list.length === 0) return out;
  for (const e of list) {
    out.fidelity_plus += e.fidelity.fidelity_plus;
    out.fidelity_minus += e.fidelity.fidelity_minus;
    out.fidelity_random += e.fidelity.fidelity_random;
  }
  out.fidelity_plus /= list.length;
  out.fidelity_minus /= list.length;
  out.fidelity_random /= list.length;
  return out;
}

/** The k indices with the largest values, largest first; ties go to the lower index. */
export function rankDescending(v: ArrayLike<number>, k: number): Int32Array {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[b] - v[a] || a - b);
  return Int32Array.from(idx.slice(0, k));
}

function localFeatures(g: ExplainGraph, sg: ComputationSubgraph): Float32Array {
  const f = g.numFeatures;
  const x = new Float32Array(sg.nodes.length * f);
  for (let l = 0; l < sg.nodes.length; l++) {
    const off = sg.nodes[l] * f;
    for (let j = 0; j < f; j++) x[l * f + j] = g.features[off + j];
  }
  return x;
}

/** Forward passes of the subgraph with a hard keep-mask over the explained edges (1 keeps, 0 removes). */
class Probe {
  constructor(
    readonly tape: Tape,
    readonly model: NodeModel,
    readonly ctx: SubgraphContext,
    readonly x: Float32Array,
    readonly numFeatures: number,
    readonly positions: Int32Array,
  ) {}

  /** The centre's class probabilities, with every explained edge kept when `keep` is null. */
  probabilities(keep: Float32Array | null): Float64Array {
    const { tape } = this;
    const C = this.model.dims.numClasses;
    const out = new Float64Array(C);
    const e = this.positions.length;
    const xt = tape.tensor(this.x, [this.ctx.numNodes, this.numFeatures]);
    const m = tape.tensor(keep ?? new Float32Array(e).fill(1), [e, 1]);
    try {
      tape.noGrad(() => {
        const mask: Tensor = spreadEdges(m, this.positions, this.ctx.attention.indices.length);
        const logits = this.model.forward(xt, { graph: this.ctx, training: false, rng: NO_RNG, edgeMask: mask });
        softmaxRows(logits.data.subarray(0, C), 1, C, out);
      });
    } finally {
      tape.reset();
      xt.dispose();
      m.dispose();
    }
    return out;
  }
}

const NO_RNG = new Rng(0);

function measureFidelity(
  probe: Probe,
  c: number,
  p: number,
  top: Int32Array,
  o: { seed: number; draws: number },
): Fidelity {
  const e = probe.positions.length;
  const k = top.length;
  if (k === 0) return { fidelity_plus: 0, fidelity_minus: 0, fidelity_random: 0 };
  const without = new Float32Array(e).fill(1);
  const only = new Float32Array(e);
  for (const i of top) {
    without[i] = 0;
    only[i] = 1;
  }
  const plus = p - probe.probabilities(without)[c];
  const minus = p - probe.probabilities(only)[c];
  const rng = new Rng(o.seed);
  let random = 0;
  const order = Array.from({ length: e }, (_, i) => i);
  for (let d = 0; d < o.draws; d++) {
    // The first k of a partial Fisher–Yates shuffle: k distinct edges, uniformly.
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(e - i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const mask = new Float32Array(e).fill(1);
    for (let i = 0; i < k; i++) mask[order[i]] = 0;
    random += p - probe.probabilities(mask)[c];
  }
  return { fidelity_plus: plus, fidelity_minus: minus, fidelity_random: random / o.draws };
}

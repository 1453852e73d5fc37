/**
 * The two explanation methods, both on a node's computation subgraph and both through the engine's autograd. They
 * explain the log-probability of the class the model predicts for the centre, log p_c(centre).
 *
 * - Saliency (gradient × input, Simonyan et al. 2014; Shrikumar et al. 2016): one backward pass. An edge's
 *   importance is ∂ log p_c / ∂ m_e at m = 1 (its mask value is its input, 1), a feature's the sum over the
 *   subgraph's nodes of x_if · ∂ log p_c / ∂ x_if. Signed: positive pushes towards the predicted class.
 * - GNNExplainer (Ying et al., NeurIPS 2019, https://arxiv.org/abs/1903.03894): a soft edge mask σ(p_e) and a
 *   feature mask σ(q_f) shared by all nodes, learned with Adam to keep the prediction while staying small and
 *   near 0/1:  L = −log p_c + α_e Σ m + β_e mean H(m) + α_f mean m_f + β_f mean H(m_f),  H the binary entropy.
 *   The coefficients, learning rate and initialisation follow PyG's GNNExplainer (edge_size 0.005, edge_ent 1.0,
 *   node_feat_size 1.0, node_feat_ent 0.1, lr 0.01; p ~ N(1, gain_relu·√(2 / 2N)) with N the graph's nodes, q ~ N(0.1, 0.1)).
 */
import { Adam, add, crossEntropy, mean, Rng, scale, sum, type Tape, type Tensor } from '../engine/index.js';
import type { NodeModel } from '../nn/models/model.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { binaryEntropy, scaleColumns, sigmoid, spreadEdges } from './ops.js';
import type { SubgraphContext } from './subgraph.js';

export const ExplainMethods = ['saliency', 'gnnexplainer'] as const;
export type ExplainMethod = (typeof ExplainMethods)[number];

/** What a method needs: the model, its subgraph operators and features, and where the explained edges sit. */
export interface MethodInput {
  tape: Tape;
  model: NodeModel;
  ctx: SubgraphContext;
  /** Local features, n × F. */
  x: Float32Array;
  numFeatures: number;
  /** Position of each explained edge among ctx.attention's edges. */
  positions: Int32Array;
  /** The class explained (the model's prediction for local node 0). */
  target: number;
}

export interface RawExplanation {
  /** One value per explained edge (same order as the subgraph's src/dst). */
  edges: Float64Array;
  /** One value per feature column. */
  features: Float64Array;
}

export interface GnnExplainerOptions {
  epochs: number;
  lr: number;
  edgeSize: number;
  edgeEntropy: number;
  featureSize: number;
  featureEntropy: number;
  seed: number;
  /**
   * Nodes of the whole graph, the N of the edge mask's initial spread (PyG runs on the whole graph and draws with
   * N = its node count); default: the subgraph's. A subgraph's N gives a spread so wide that 100 epochs do not
   * undo the initial ranking.
   */
  graphNodes?: number;
  /** Called after every epoch with that epoch's loss (before its step); throwing aborts (the time limit). */
  onEpoch?: (epoch: number, loss: number) => void;
}

export const GNN_EXPLAINER_DEFAULTS: Omit<GnnExplainerOptions, 'onEpoch'> = {
  epochs: 100,
  lr: 0.01,
  edgeSize: 0.005,
  edgeEntropy: 1.0,
  featureSize: 1.0,
  featureEntropy: 0.1,
  seed: 0,
};

const NO_RNG = new Rng(0);

function centreLoss(m: MethodInput, x: Tensor, edgeMask: Tensor): Tensor {
  const logits = m.model.forward(x, { graph: m.ctx, training: false, rng: NO_RNG, edgeMask });
  const labels = new Int32Array(logits.rows);
  labels[0] = m.target;
  return crossEntropy(logits, labels, CENTRE);
}

const CENTRE = Int32Array.of(0);

export function saliency(m: MethodInput): RawExplanation {
  const { tape } = m;
  const n = m.ctx.numNodes;
  const e = m.positions.length;
  const x = tape.tensor(m.x, [n, m.numFeatures], { requiresGrad: true });
  const mask = tape.tensor(new Float32Array(e).fill(1), [e, 1], { requiresGrad: true });
  try {
    const loss = centreLoss(m, x, spreadEdges(mask, m.positions, m.ctx.attention.indices.length));
    tape.backward(loss);
    const edges = new Float64Array(e);
    // loss = −log p_c, so the attribution of log p_c is minus its gradient.
    if (mask.grad) for (let k = 0; k < e; k++) edges[k] = -mask.grad[k];
    const features = new Float64Array(m.numFeatures);
    const gx = x.grad;
    if (gx) {
      const f = m.numFeatures;
      for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) features[j] -= gx[i * f + j] * x.data[i * f + j];
    }
    return { edges, features };
  } finally {
    tape.reset();
    x.dispose();
    mask.dispose();
  }
}

export function gnnExplainer(m: MethodInput, o: GnnExplainerOptions): RawExplanation {
  const { tape } = m;
  const n = m.ctx.numNodes;
  const e = m.positions.length;
  const f = m.numFeatures;
  const rng = new Rng(o.seed);
  const edgeStd = Math.SQRT2 * Math.sqrt(2 / (2 * (o.graphNodes ?? n))); // gain('relu') = √2
  const p = tape.param([Math.max(e, 1), 1], (buf) => {
    for (let k = 0; k < buf.length; k++) buf[k] = 1 + edgeStd * rng.normal();
  });
  const q = tape.param([f], (buf) => {
    for (let k = 0; k < buf.length; k++) buf[k] = 0.1 + 0.1 * rng.normal();
  });
  const x = tape.tensor(m.x, [n, f]);
  const params = e > 0 ? [p, q] : [q];
  const opt = new Adam(params, { lr: o.lr });
  const totalEdges = m.ctx.attention.indices.length;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      opt.zeroGrad();
      const mf = sigmoid(q);
      const xm = scaleColumns(x, mf);
      let loss: Tensor;
      if (e > 0) {
        const me = sigmoid(p);
        loss = centreLoss(m, xm, spreadEdges(me, m.positions, totalEdges));
        loss = add(loss, scale(sum(me), o.edgeSize));
        loss = add(loss, scale(mean(binaryEntropy(me)), o.edgeEntropy));
      } else {
        loss = centreLoss(m, xm, spreadEdges(p, new Int32Array(0), totalEdges));
      }
      loss = add(loss, scale(mean(mf), o.featureSize));
      loss = add(loss, scale(mean(binaryEntropy(mf)), o.featureEntropy));
      const value = loss.item();
      if (!Number.isFinite(value))
        throw new GnnopsError(ErrorCodes.INTERNAL, `GNNExplainer's loss is not finite at epoch ${epoch}`);
      tape.backward(loss);
      opt.step();
      tape.reset();
      o.onEpoch?.(epoch, value);
    }
    const edges = new Float64Array(e);
    for (let k = 0; k < e; k++) edges[k] = 1 / (1 + Math.exp(-p.data[k]));
    const features = new Float64Array(f);
    for (let k = 0; k < f; k++) features[k] = 1 / (1 + Math.exp(-q.data[k]));
    return { edges, features };
  } finally {
    tape.reset();
    p.dispose();
    q.dispose();
    x.dispose();
  }
}

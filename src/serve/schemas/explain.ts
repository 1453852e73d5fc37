import { errorResponses, type Limits, nodeIdOutSchema, nodeRefSchema } from './common.js';
import type { Static } from './static.js';

export const EXPLAIN_METHODS = ['saliency', 'gnnexplainer'] as const;
export const MAX_TOP_K = 1000;

export function explainBodySchema(l: Limits) {
  return {
    type: 'object',
    required: ['node_ids'],
    properties: {
      node_ids: {
        type: 'array',
        description: `Nodes of the served graph to explain (≤ ${l.maxExplainNodes} per request: serve.explain_max_nodes), each by its original id (a string) or its index (an integer).`,
        maxItems: l.maxExplainNodes,
        items: nodeRefSchema,
      },
      method: {
        type: 'string',
        enum: EXPLAIN_METHODS,
        default: 'saliency',
        description:
          'saliency: gradient × input, one backward pass (milliseconds). gnnexplainer: soft edge and feature masks learnt with its size and entropy regularisers (about a second per node).',
      },
      top_k: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TOP_K,
        default: 5,
        description: 'Edges in the explanation; fidelity is measured on them.',
      },
    },
  } as const;
}

const edgeSchema = {
  type: 'object',
  required: ['source', 'target', 'importance'],
  properties: {
    source: { type: 'integer' },
    target: { type: 'integer', description: 'Messages flow source → target.' },
    importance: { type: 'number' },
  },
} as const;

const fidelityProps = {
  fidelity_plus: {
    type: 'number',
    description: "Drop of the predicted class's probability when the top-k edges are removed (high is good).",
  },
  fidelity_minus: {
    type: 'number',
    description: 'The same drop when only the top-k edges are kept (low is good).',
  },
  fidelity_random: {
    type: 'number',
    description: 'The drop when k random edges are removed (seeded, mean of 5 draws): the baseline for fidelity_plus.',
  },
} as const;

export const explanationSchema = {
  type: 'object',
  required: [
    'node_id',
    'node_index',
    'method',
    'class',
    'probability',
    'hops',
    'nodes',
    'distance',
    'edges',
    'top_edges',
    'top_features',
    'feature_importance',
    'fidelity_plus',
    'fidelity_minus',
    'fidelity_random',
    'ms',
  ],
  properties: {
    node_id: nodeIdOutSchema,
    node_index: { type: 'integer', description: 'The node index: `nodes` and the edges are given as indices.' },
    method: { type: 'string', enum: EXPLAIN_METHODS },
    class: { type: 'integer', description: 'The class explained: the model’s prediction.' },
    label: { type: 'string', description: 'Class name, when the model has class names.' },
    probability: { type: 'number', description: 'Its probability (uncalibrated softmax).' },
    hops: { type: 'integer', description: 'Message-passing hops of the model: the computation subgraph’s radius.' },
    nodes: {
      type: 'array',
      items: { type: 'integer' },
      description: 'Subgraph nodes (indices), the explained node first.',
    },
    node_ids: {
      type: 'array',
      items: { type: 'string' },
      description: 'The original id of each of `nodes`, for a dataset imported with ids of its own.',
    },
    distance: { type: 'array', items: { type: 'integer' }, description: 'Hop distance of each of `nodes`.' },
    edges: { type: 'array', items: edgeSchema, description: 'Every edge of the computation subgraph.' },
    top_edges: { type: 'array', items: edgeSchema, description: 'The top-k edges, most important first.' },
    top_features: {
      type: 'array',
      items: {
        type: 'object',
        required: ['feature', 'importance'],
        properties: { feature: { type: 'integer' }, importance: { type: 'number' } },
      },
    },
    feature_importance: { type: 'array', items: { type: 'number' }, description: 'One value per feature column.' },
    ...fidelityProps,
    ms: { type: 'number', description: 'Time the explanation took.' },
  },
} as const;

export const explainResponseSchema = {
  type: 'object',
  required: [
    'model',
    'version',
    'method',
    'top_k',
    'fidelity_plus',
    'fidelity_minus',
    'fidelity_random',
    'explanations',
  ],
  properties: {
    model: { type: 'string' },
    version: { type: 'string' },
    method: { type: 'string', enum: EXPLAIN_METHODS },
    top_k: { type: 'integer' },
    ...fidelityProps,
    explanations: { type: 'array', items: explanationSchema },
  },
} as const;

export function explainRouteSchema(l: Limits) {
  return {
    summary: 'Explain predictions for nodes of the served graph: edge and feature importances, with fidelity',
    description:
      'Fidelity fields at the top are averaged over the nodes asked. Only gcn, sage and appnp models can be explained (422 otherwise); ' +
      'a node whose explanation takes longer than serve.explain_time_limit_s answers 413.',
    tags: ['explain'],
    body: explainBodySchema(l),
    response: { 200: explainResponseSchema, ...errorResponses },
  } as const;
}

export type ExplainBody = Static<ReturnType<typeof explainBodySchema>>;
export type ExplainResponse = Static<typeof explainResponseSchema>;

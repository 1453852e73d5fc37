import {
  errorResponses,
  type Limits,
  oodScoreDescription,
  predictOptionProperties,
  temperatureProperty,
} from './common.js';
import type { Static } from './static.js';

/** One subgraph: the `{x, edge_index}` body that common GNN serving clients send. */
export function subgraphSchema(l: Limits) {
  return {
    type: 'object',
    required: ['x', 'edge_index'],
    properties: {
      x: {
        type: 'array',
        description: `Node features, n × F row-major (n ≤ ${l.maxNodes}); every row has the model's F values.`,
        maxItems: l.maxNodes,
        items: { type: 'array', maxItems: l.maxFeatures, items: { type: 'number' } },
      },
      edge_index: {
        type: 'array',
        description: `[sources, targets], 2 × E (E ≤ ${l.maxEdges}); indices in [0, n); messages flow source → target.`,
        minItems: 2,
        maxItems: 2,
        items: { type: 'array', maxItems: l.maxEdges, items: { type: 'integer' } },
      },
    },
  } as const;
}

/** POST /predict body: one subgraph, `{instances: [subgraph…]}`, or a bare array of subgraphs. */
export function predictBodySchema(l: Limits) {
  const one = subgraphSchema(l);
  const single = {
    ...one,
    properties: { ...one.properties, ...predictOptionProperties },
    not: { type: 'object', required: ['instances'] },
  };
  return {
    description:
      'One subgraph `{x, edge_index}`, or a batch: `{instances: [{x, edge_index}, …]}` or `[{x, edge_index}, …]` ' +
      `(≤ ${l.maxBatch} instances). A batch is answered with \`{predictions: [...]}\`, one entry per instance. ` +
      'The options (`calibrated`, `ood_score`) sit beside `x` or `instances`; a bare array is served with the defaults.',
    anyOf: [
      single,
      {
        type: 'object',
        required: ['instances'],
        properties: {
          instances: { type: 'array', minItems: 1, maxItems: l.maxBatch, items: one },
          ...predictOptionProperties,
        },
      },
      { type: 'array', minItems: 1, maxItems: l.maxBatch, items: one },
    ],
  } as const;
}

export const subgraphPredictionSchema = {
  type: 'object',
  required: ['node_predictions', 'probabilities', 'labels'],
  properties: {
    node_predictions: { type: 'array', items: { type: 'integer' }, description: 'Predicted class id per node.' },
    probabilities: {
      type: 'array',
      items: { type: 'array', items: { type: 'number' } },
      description: 'n × C class probabilities.',
    },
    labels: { type: 'array', items: { type: 'string' }, description: 'Class name of each prediction.' },
    ood_score: { type: 'array', items: { type: 'number' }, description: `Per node: ${oodScoreDescription}` },
  },
} as const;

export const predictResponseSchema = {
  type: 'object',
  required: ['model', 'version', 'temperature'],
  description: 'A single subgraph gives node_predictions/probabilities/labels; a batch gives predictions.',
  properties: {
    model: { type: 'string' },
    version: { type: 'string' },
    temperature: temperatureProperty,
    ...subgraphPredictionSchema.properties,
    predictions: { type: 'array', items: subgraphPredictionSchema },
  },
} as const;

export function predictRouteSchema(l: Limits) {
  return {
    summary: 'Classify the nodes of a subgraph (compatible with the common `{x, edge_index}` client)',
    tags: ['predict'],
    body: predictBodySchema(l),
    response: { 200: predictResponseSchema, ...errorResponses },
  } as const;
}

export type Subgraph = Static<ReturnType<typeof subgraphSchema>>;
export type PredictBody = Static<ReturnType<typeof predictBodySchema>>;
export type SubgraphPrediction = Static<typeof subgraphPredictionSchema>;
export type PredictResponse = Static<typeof predictResponseSchema>;

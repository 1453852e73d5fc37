import {
  errorResponses,
  type Limits,
  nodeIdOutSchema,
  nodeRefSchema,
  oodScoreDescription,
  predictOptionProperties,
  temperatureProperty,
} from './common.js';
import type { Static } from './static.js';

export function nodesBodySchema(l: Limits) {
  return {
    type: 'object',
    required: ['node_ids'],
    properties: {
      node_ids: {
        type: 'array',
        description: `Nodes of the served graph (≤ ${l.maxNodes} per request: the batch), each by its original id (a string) or its index (an integer); an unknown id is a 422 naming it.`,
        maxItems: l.maxNodes,
        items: nodeRefSchema,
      },
      ...predictOptionProperties,
    },
  } as const;
}

export const nodePredictionSchema = {
  type: 'object',
  required: ['node_id', 'class', 'probabilities'],
  properties: {
    node_id: nodeIdOutSchema,
    class: { type: 'integer', description: 'Predicted class id.' },
    label: { type: 'string', description: 'Class name, when the model has class names.' },
    probabilities: { type: 'array', items: { type: 'number' } },
    title: { type: 'string', description: 'Node title (WikiCS article) where known.' },
    ood_score: { type: 'number', description: oodScoreDescription },
  },
} as const;

export const nodesResponseSchema = {
  type: 'object',
  required: ['model', 'version', 'temperature', 'predictions'],
  properties: {
    model: { type: 'string' },
    version: { type: 'string' },
    temperature: temperatureProperty,
    predictions: { type: 'array', items: nodePredictionSchema },
  },
} as const;

export function nodesRouteSchema(l: Limits) {
  return {
    summary: 'Classify nodes of the served graph by id, using their stored neighbourhoods',
    tags: ['predict'],
    body: nodesBodySchema(l),
    response: { 200: nodesResponseSchema, ...errorResponses },
  } as const;
}

export type NodesBody = Static<ReturnType<typeof nodesBodySchema>>;
export type NodesResponse = Static<typeof nodesResponseSchema>;
export type NodePrediction = Static<typeof nodePredictionSchema>;

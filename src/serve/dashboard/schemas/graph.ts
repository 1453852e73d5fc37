import { nodeIdOutSchema } from '../../schemas/common.js';
import type { Static } from '../../schemas/static.js';
import { readErrors } from './common.js';

/** Hard cap on the nodes one neighbourhood answer may hold (the UI never draws the whole graph). */
export const MAX_NEIGHBOURHOOD_NODES = 500;

export const neighbourhoodQuerySchema = {
  type: 'object',
  required: ['node'],
  properties: {
    node: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description:
        "The centre node's id: its original id for a dataset imported with ids of its own, else its index (0..n-1).",
    },
    hops: { type: 'integer', minimum: 1, maximum: 2, default: 2 },
    max_nodes: { type: 'integer', minimum: 1, maximum: MAX_NEIGHBOURHOOD_NODES, default: 150 },
  },
} as const;

const graphNode = {
  type: 'object',
  required: ['id', 'node_id', 'hop', 'degree', 'label'],
  properties: {
    id: { type: 'integer', description: 'Node index (the edges name nodes by index).' },
    node_id: nodeIdOutSchema,
    hop: { type: 'integer', description: '0 for the centre, 1 or 2.' },
    degree: { type: 'integer', description: 'Degree in the full graph.' },
    label: { type: 'integer', description: 'True class (-1: unlabelled).' },
    predicted: { type: 'integer', description: 'Class the served model predicts for the node.' },
    confidence: { type: 'number' },
    title: { type: 'string' },
  },
} as const;

export const neighbourhoodSchema = {
  type: 'object',
  required: ['center', 'hops', 'nodes', 'edges', 'truncated', 'class_names', 'dataset'],
  properties: {
    center: { type: 'integer', description: 'Index of the centre node.' },
    hops: { type: 'integer' },
    nodes: { type: 'array', items: graphNode },
    edges: {
      type: 'array',
      description: 'Undirected pairs [a, b] with a < b among the returned nodes.',
      items: { type: 'array', items: { type: 'integer' } },
    },
    truncated: { type: 'boolean', description: 'True when the k-hop ball had more than max_nodes nodes.' },
    ball_size: { type: 'integer', description: 'Nodes within `hops` (counted up to 100,000).' },
    class_names: { type: 'array', items: { type: 'string' } },
    dataset: { type: 'string' },
    model: { type: 'string', description: 'name/version of the model whose predictions are shown.' },
  },
} as const;

export const neighbourhoodRouteSchema = {
  summary: 'The 1–2 hop neighbourhood of a node, capped in size, with true and predicted classes',
  tags: ['dashboard'],
  querystring: neighbourhoodQuerySchema,
  response: { 200: neighbourhoodSchema, ...readErrors },
} as const;

export const searchQuerySchema = {
  type: 'object',
  required: ['q'],
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 200 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
} as const;

export const searchSchema = {
  type: 'object',
  required: ['titles', 'hits'],
  properties: {
    titles: { type: 'boolean', description: 'False when the dataset has no node titles (search by id only).' },
    hits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'node_id', 'title', 'label'],
        properties: {
          id: { type: 'integer' },
          node_id: nodeIdOutSchema,
          title: { type: 'string' },
          label: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const searchRouteSchema = {
  summary: 'Find nodes by title (WikiCS article titles): prefix matches first, then substring matches',
  tags: ['dashboard'],
  querystring: searchQuerySchema,
  response: { 200: searchSchema, ...readErrors },
} as const;

export type NeighbourhoodQuery = Static<typeof neighbourhoodQuerySchema>;
export type NeighbourhoodResponse = Static<typeof neighbourhoodSchema>;
export type GraphNodeJson = Static<typeof graphNode>;
export type SearchQuery = Static<typeof searchQuerySchema>;
export type SearchResponse = Static<typeof searchSchema>;

import type { Static } from '../../schemas/static.js';
import { readErrors } from './common.js';

/**
 * GET /api/data/stats answers `{dataset, stats}` where `stats` is src/data/stats.ts's GraphStats, passed through
 * as is (its own type is the contract: the web imports it from there).
 */
export const statsRouteSchema = {
  summary: 'Statistics of the served dataset: sizes, degrees, homophily, class balance, splits, features',
  tags: ['dashboard'],
  response: {
    200: {
      type: 'object',
      required: ['for_model', 'stats'],
      properties: {
        for_model: { type: 'string' },
        stats: { type: 'object', additionalProperties: true, description: 'GraphStats (src/data/stats.ts).' },
      },
    },
    ...readErrors,
  },
} as const;

export const projectionQuerySchema = {
  type: 'object',
  properties: {
    source: {
      type: 'string',
      enum: ['hidden', 'output', 'features'],
      default: 'hidden',
      description:
        "hidden: the served model's last hidden layer (from its registered checkpoint); output: its class " +
        "probabilities; features: the nodes' input features. Falls back hidden → output → features when a source " +
        'is not available; the answer says which was used.',
    },
    max_points: { type: 'integer', minimum: 10, maximum: 20000, default: 3000 },
  },
} as const;

export const projectionSchema = {
  type: 'object',
  required: ['source', 'method', 'explained', 'total', 'points', 'class_names'],
  properties: {
    source: { type: 'string', description: 'The source actually projected.' },
    dims: { type: 'integer', description: 'Dimensions of the projected vectors.' },
    method: { type: 'string', description: 'pca: the top two principal components (power iteration).' },
    explained: { type: 'array', items: { type: 'number' }, description: 'Variance share of each component.' },
    total: { type: 'integer', description: 'Nodes in the graph; points is an evenly strided sample of them.' },
    points: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'x', 'y', 'label'],
        properties: {
          id: { type: 'integer' },
          x: { type: 'number' },
          y: { type: 'number' },
          label: { type: 'integer' },
          predicted: { type: 'integer' },
        },
      },
    },
    class_names: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const projectionRouteSchema = {
  summary: '2-D PCA projection of node features or model outputs, coloured by class',
  tags: ['dashboard'],
  querystring: projectionQuerySchema,
  response: { 200: projectionSchema, ...readErrors },
} as const;

export type StatsResponse = Static<(typeof statsRouteSchema)['response'][200]>;
export type ProjectionQuery = Static<typeof projectionQuerySchema>;
export type ProjectionResponse = Static<typeof projectionSchema>;

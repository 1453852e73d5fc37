import { apiKeySecurity, errorResponses, errorSchema } from './common.js';
import type { Static } from './static.js';

const servedModel = {
  type: 'object',
  required: ['name', 'version', 'ref', 'ready', 'num_features', 'num_classes', 'loaded_at'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    ref: { type: 'string', description: 'What was loaded: NAME/VERSION or a checkpoint path.' },
    source: { type: 'string', description: 'What the server follows: NAME@ALIAS (hot reload) or a fixed ref.' },
    ready: { type: 'boolean' },
    num_features: { type: 'integer' },
    num_classes: { type: 'integer' },
    class_names: { type: 'array', items: { type: 'string' } },
    graph_nodes: { type: 'integer', description: 'Nodes of the stored graph served by /v1/predict/nodes.' },
    loaded_at: { type: 'string', description: 'ISO time of the swap that made this model current.' },
    metrics: { type: 'object', additionalProperties: { type: 'number' } },
    lineage: { type: 'object', additionalProperties: true },
  },
} as const;

export const modelsRouteSchema = {
  summary: 'The served model: name, version, metrics and lineage',
  tags: ['models'],
  response: {
    200: { type: 'object', required: ['models'], properties: { models: { type: 'array', items: servedModel } } },
    401: errorSchema,
  },
} as const;

export const reloadBodySchema = {
  type: ['object', 'null'],
  properties: {
    model: { type: 'string', description: 'Serve this ref from now on (NAME@ALIAS, NAME/VERSION or a path).' },
    force: { type: 'boolean', description: 'Reload even when the resolved ref is unchanged.' },
  },
} as const;

const modelRef = {
  type: 'object',
  required: ['name', 'version', 'ref'],
  properties: { name: { type: 'string' }, version: { type: 'string' }, ref: { type: 'string' } },
} as const;

export const reloadResponseSchema = {
  type: 'object',
  required: ['changed', 'current'],
  properties: { changed: { type: 'boolean' }, current: modelRef, previous: modelRef },
} as const;

export const reloadRouteSchema = {
  summary: 'Resolve the model ref again and swap to it if it moved (admin, API key)',
  tags: ['admin'],
  security: apiKeySecurity,
  body: reloadBodySchema,
  response: { 200: reloadResponseSchema, ...errorResponses, 403: errorSchema, 500: errorSchema },
} as const;

export type ReloadBody = Static<typeof reloadBodySchema>;
export type ReloadResponse = Static<typeof reloadResponseSchema>;
export type ServedModelInfo = Static<typeof servedModel>;

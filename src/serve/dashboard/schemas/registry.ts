import { apiKeySecurity, errorSchema } from '../../schemas/common.js';
import type { Static } from '../../schemas/static.js';
import { numberMap, readErrors, stringMap } from './common.js';

export const auditEntrySchema = {
  type: 'object',
  required: ['id', 'model', 'alias', 'action', 'from_version', 'to_version', 'who', 'at', 'reason'],
  properties: {
    id: { type: 'integer' },
    model: { type: 'string' },
    alias: { type: 'string' },
    action: { type: 'string', enum: ['promote', 'auto-promote', 'rollback', 'remove'] },
    from_version: { type: ['integer', 'null'] },
    to_version: { type: ['integer', 'null'] },
    who: { type: 'string' },
    at: { type: 'number', description: 'Unix ms.' },
    reason: { type: 'string' },
  },
} as const;

export const registeredModelSchema = {
  type: 'object',
  required: ['name', 'created_at', 'latest_version', 'aliases'],
  properties: {
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    created_at: { type: 'number' },
    latest_version: { type: 'integer' },
    aliases: { type: 'object', additionalProperties: { type: 'integer' }, description: 'alias → version' },
  },
} as const;

export const modelVersionSchema = {
  type: 'object',
  required: [
    'model',
    'version',
    'checkpoint_digest',
    'checkpoint_size',
    'metrics',
    'aliases',
    'created_at',
    'created_by',
  ],
  properties: {
    model: { type: 'string' },
    version: { type: 'integer' },
    run_id: { type: ['string', 'null'] },
    checkpoint_digest: { type: 'string' },
    checkpoint_size: { type: 'integer' },
    dataset: { type: ['string', 'null'] },
    dataset_hash: { type: ['string', 'null'] },
    metrics: numberMap,
    git_sha: { type: ['string', 'null'] },
    git_dirty: { type: ['boolean', 'null'] },
    reference_profile: { type: ['string', 'null'] },
    description: { type: ['string', 'null'] },
    tags: stringMap,
    created_at: { type: 'number' },
    created_by: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
    model_config: { type: 'object', additionalProperties: true, description: 'config.model of the version.' },
  },
} as const;

export const modelsListRouteSchema = {
  summary: 'Registered models with their aliases',
  tags: ['dashboard'],
  response: {
    200: {
      type: 'object',
      required: ['models', 'recent'],
      properties: {
        models: { type: 'array', items: registeredModelSchema },
        recent: { type: 'array', items: auditEntrySchema, description: 'Latest alias changes over all models.' },
      },
    },
    ...readErrors,
  },
} as const;

export const modelNameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const modelDetailRouteSchema = {
  summary: 'One registered model: versions (newest first), aliases and the alias audit log',
  tags: ['dashboard'],
  params: modelNameParams,
  response: {
    200: {
      type: 'object',
      required: ['model', 'versions', 'audit'],
      properties: {
        model: registeredModelSchema,
        versions: { type: 'array', items: modelVersionSchema },
        audit: { type: 'array', items: auditEntrySchema, description: 'Oldest first.' },
      },
    },
    ...readErrors,
  },
} as const;

export const promoteBodySchema = {
  type: 'object',
  required: ['version', 'alias'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer', minimum: 1 },
    alias: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const rollbackBodySchema = {
  type: 'object',
  required: ['alias'],
  additionalProperties: false,
  properties: {
    alias: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const aliasChangeSchema = {
  type: 'object',
  required: ['changed', 'model', 'alias', 'from_version', 'to_version'],
  properties: {
    changed: { type: 'boolean' },
    model: { type: 'string' },
    alias: { type: 'string' },
    from_version: { type: ['integer', 'null'] },
    to_version: { type: ['integer', 'null'] },
    audit: { anyOf: [auditEntrySchema, { type: 'null' }] },
    served: {
      type: 'object',
      description: 'The served model after the change, when this server follows the moved alias (reloaded at once).',
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' }, reload_error: { type: 'string' } },
    },
  },
} as const;

const adminErrors = { ...readErrors, 403: errorSchema, 409: errorSchema } as const;

export const promoteRouteSchema = {
  summary: 'Point an alias at a version (admin, API key)',
  tags: ['dashboard', 'admin'],
  security: apiKeySecurity,
  params: modelNameParams,
  body: promoteBodySchema,
  response: { 200: aliasChangeSchema, ...adminErrors },
} as const;

export const rollbackRouteSchema = {
  summary: 'Move an alias back to the version it held before (admin, API key)',
  tags: ['dashboard', 'admin'],
  security: apiKeySecurity,
  params: modelNameParams,
  body: rollbackBodySchema,
  response: { 200: aliasChangeSchema, ...adminErrors },
} as const;

export type AuditEntryJson = Static<typeof auditEntrySchema>;
export type RegisteredModelJson = Static<typeof registeredModelSchema>;
export type ModelVersionJson = Static<typeof modelVersionSchema>;
export type ModelsListResponse = Static<(typeof modelsListRouteSchema)['response'][200]>;
export type ModelDetailResponse = Static<(typeof modelDetailRouteSchema)['response'][200]>;
export type PromoteBody = Static<typeof promoteBodySchema>;
export type RollbackBody = Static<typeof rollbackBodySchema>;
export type AliasChangeResponse = Static<typeof aliasChangeSchema>;

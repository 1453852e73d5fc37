import type { Static } from '../../schemas/static.js';
import { nullableNumber, numberMap, readErrors } from './common.js';

const sweepSummary = {
  type: 'object',
  required: ['id', 'method', 'status', 'run_cap', 'trials', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'] },
    method: { type: 'string' },
    metric: { type: ['string', 'null'] },
    goal: { type: ['string', 'null'] },
    status: { type: 'string' },
    run_cap: { type: 'integer' },
    trials: { type: 'integer', description: 'Trials recorded so far.' },
    best_value: nullableNumber,
    created_at: { type: 'number' },
    updated_at: { type: 'number' },
  },
} as const;

const trialSchema = {
  type: 'object',
  required: ['index', 'status', 'params', 'metrics', 'value', 'epochs'],
  properties: {
    index: { type: 'integer' },
    status: { type: 'string' },
    params: { type: 'object', additionalProperties: true, description: 'Sampled parameters (JSON values).' },
    metrics: numberMap,
    value: nullableNumber,
    run_id: { type: ['string', 'null'] },
    epochs: { type: 'integer' },
    stopped_at: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
    started_at: { type: 'number' },
    ended_at: { type: ['number', 'null'] },
  },
} as const;

export const sweepsListRouteSchema = {
  summary: 'Sweeps, newest first',
  tags: ['dashboard'],
  response: {
    200: { type: 'object', required: ['sweeps'], properties: { sweeps: { type: 'array', items: sweepSummary } } },
    ...readErrors,
  },
} as const;

export const sweepDetailRouteSchema = {
  summary: 'One sweep: trials, best trial, parameter association and a parallel-coordinates chart (SVG)',
  tags: ['dashboard'],
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  response: {
    200: {
      type: 'object',
      required: ['sweep', 'parameters', 'trials', 'importance', 'notes'],
      properties: {
        sweep: sweepSummary,
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'distribution'],
            properties: { name: { type: 'string' }, distribution: { type: 'string' } },
          },
        },
        trials: { type: 'array', items: trialSchema },
        best: trialSchema,
        importance: {
          type: 'array',
          items: {
            type: 'object',
            required: ['param', 'kind', 'value', 'n'],
            properties: {
              param: { type: 'string' },
              kind: { type: 'string', enum: ['spearman', 'eta'] },
              value: { type: 'number' },
              n: { type: 'integer' },
            },
          },
        },
        parallel_svg: { type: 'string', description: 'Parallel coordinates of the trials (SVG markup).' },
        notes: { type: 'array', items: { type: 'string' } },
      },
    },
    ...readErrors,
  },
} as const;

export type SweepSummaryJson = Static<typeof sweepSummary>;
export type TrialJson = Static<typeof trialSchema>;
export type SweepsResponse = Static<(typeof sweepsListRouteSchema)['response'][200]>;
export type SweepDetailResponse = Static<(typeof sweepDetailRouteSchema)['response'][200]>;

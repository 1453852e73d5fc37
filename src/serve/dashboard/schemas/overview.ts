import type { Static } from '../../schemas/static.js';
import { nullableNumber, numberMap, readErrors } from './common.js';
import { auditEntrySchema } from './registry.js';

export const overviewSchema = {
  type: 'object',
  required: ['ready', 'traffic', 'promotions'],
  properties: {
    ready: { type: 'boolean' },
    model: {
      type: 'object',
      required: ['name', 'version', 'ref', 'loaded_at', 'metrics'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        ref: { type: 'string' },
        source: { type: 'string' },
        loaded_at: { type: 'string' },
        num_classes: { type: 'integer' },
        graph_nodes: { type: 'integer' },
        metrics: numberMap,
        aliases: { type: 'array', items: { type: 'string' } },
        dataset: { type: ['string', 'null'] },
        run_id: { type: ['string', 'null'] },
      },
    },
    traffic: {
      type: 'object',
      required: ['requests_total', 'errors_total', 'series', 'interval_s'],
      description: 'Prediction routes only (/predict, /v1/predict/nodes, V2 infer); the dashboard’s calls excluded.',
      properties: {
        requests_total: { type: 'integer' },
        errors_total: { type: 'integer', description: 'Responses with status ≥ 400.' },
        rps: { ...nullableNumber, description: 'Requests/s over the last sampling interval.' },
        p50_ms: { ...nullableNumber, description: 'Latency quantiles over the last latency_window_s.' },
        latency_window_s: { type: 'number' },
        p99_ms: nullableNumber,
        mean_ms: nullableNumber,
        interval_s: { type: 'number' },
        series: {
          type: 'array',
          items: {
            type: 'object',
            required: ['t', 'rps'],
            properties: { t: { type: 'number' }, rps: { type: 'number' }, p99_ms: nullableNumber },
          },
        },
      },
    },
    drift: {
      type: 'object',
      required: ['share', 'drifted', 'checked_at'],
      properties: {
        share: { type: 'number' },
        drifted: { type: 'boolean' },
        drifted_features: { type: 'integer' },
        checked_at: { type: 'string' },
      },
    },
    promotions: { type: 'array', items: auditEntrySchema },
  },
} as const;

export const overviewRouteSchema = {
  summary: 'What the dashboard’s overview shows: served model, traffic, drift status, last promotions',
  tags: ['dashboard'],
  response: { 200: overviewSchema, ...readErrors },
} as const;

export type OverviewResponse = Static<typeof overviewSchema>;

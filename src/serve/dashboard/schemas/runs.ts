import type { Static } from '../../schemas/static.js';
import { nullableNumber, numberMap, readErrors, stringMap } from './common.js';

export const runSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'experiment', 'status', 'start_time', 'metrics'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    experiment: { type: 'string' },
    status: { type: 'string', enum: ['running', 'finished', 'failed', 'killed'] },
    status_reason: { type: ['string', 'null'] },
    start_time: { type: 'number', description: 'Unix ms.' },
    end_time: { type: ['number', 'null'] },
    dataset: { type: ['string', 'null'] },
    dataset_hash: { type: ['string', 'null'] },
    git_sha: { type: ['string', 'null'] },
    sweep_id: { type: ['string', 'null'] },
    parent_id: { type: ['string', 'null'] },
    model: { type: ['string', 'null'], description: 'config.model.name, when the run recorded a config.' },
    metrics: { ...numberMap, description: 'Last value of each run-level metric (keys without a "/").' },
  },
} as const;

export const runsQuerySchema = {
  type: 'object',
  properties: {
    experiment: { type: 'string' },
    status: { type: 'string', enum: ['running', 'finished', 'failed', 'killed'] },
    sweep: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
  },
} as const;

export const runsRouteSchema = {
  summary: 'Tracked runs, newest first, with their run-level metrics',
  tags: ['dashboard'],
  querystring: runsQuerySchema,
  response: {
    200: {
      type: 'object',
      required: ['runs', 'experiments'],
      properties: {
        runs: { type: 'array', items: runSummarySchema },
        experiments: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'runs'],
            properties: { name: { type: 'string' }, runs: { type: 'integer' } },
          },
        },
      },
    },
    ...readErrors,
  },
} as const;

export const runParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const runDetailSchema = {
  type: 'object',
  required: ['run', 'params', 'metrics', 'tags', 'metric_keys', 'artifacts', 'lineage'],
  properties: {
    run: runSummarySchema,
    params: stringMap,
    metrics: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['value', 'step'],
        properties: { value: nullableNumber, step: { type: 'integer' } },
      },
    },
    tags: stringMap,
    metric_keys: { type: 'array', items: { type: 'string' } },
    artifacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'digest', 'size', 'kind'],
        properties: {
          name: { type: 'string' },
          digest: { type: 'string' },
          size: { type: 'integer' },
          kind: { type: 'string' },
        },
      },
    },
    lineage: {
      type: 'object',
      required: ['children', 'model_versions'],
      properties: {
        parent: { type: ['string', 'null'] },
        sweep: { type: ['string', 'null'] },
        children: { type: 'array', items: { type: 'string' } },
        model_versions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['model', 'version'],
            properties: { model: { type: 'string' }, version: { type: 'integer' } },
          },
        },
      },
    },
  },
} as const;

export const runDetailRouteSchema = {
  summary: 'One run: params, last metrics, tags, metric keys, artifacts and lineage',
  tags: ['dashboard'],
  params: runParamsSchema,
  response: { 200: runDetailSchema, ...readErrors },
} as const;

export const metricSeriesQuerySchema = {
  type: 'object',
  required: ['keys'],
  properties: {
    keys: { type: 'string', minLength: 1, maxLength: 4000, description: 'Comma-separated metric keys.' },
  },
} as const;

export const metricSeriesSchema = {
  type: 'object',
  required: ['run_id', 'series'],
  properties: {
    run_id: { type: 'string' },
    series: {
      type: 'object',
      description: 'key → points by step (value null where NaN was logged).',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          required: ['step', 'value'],
          properties: { step: { type: 'integer' }, value: nullableNumber },
        },
      },
    },
  },
} as const;

export const metricSeriesRouteSchema = {
  summary: 'Metric curves of a run (per epoch/step)',
  tags: ['dashboard'],
  params: runParamsSchema,
  querystring: metricSeriesQuerySchema,
  response: { 200: metricSeriesSchema, ...readErrors },
} as const;

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;

export const runClassificationSchema = {
  type: 'object',
  required: ['run_id', 'artifact', 'report', 'charts'],
  properties: {
    run_id: { type: 'string' },
    artifact: { type: 'string', description: 'The run artifact the report was read from (classification.json).' },
    report: {
      type: 'object',
      description: 'The checkpoint evaluated on the test mask, its temperature fitted on the validation mask.',
      required: ['accuracy', 'macro_f1', 'per_class', 'confusion', 'ece', 'ece_calibrated', 'temperature'],
      properties: {
        accuracy: probability,
        macro_f1: probability,
        per_class: {
          type: 'array',
          items: {
            type: 'object',
            required: ['class', 'precision', 'recall', 'f1', 'support'],
            properties: {
              class: { type: 'integer' },
              name: { type: 'string' },
              precision: probability,
              recall: probability,
              f1: probability,
              support: { type: 'integer' },
            },
          },
        },
        confusion: {
          type: 'array',
          description: 'confusion[true][predicted] counts.',
          items: { type: 'array', items: { type: 'integer' } },
        },
        ece: { ...probability, description: 'Expected calibration error (15 bins) of the raw softmax.' },
        ece_calibrated: { ...probability, description: 'The same after temperature scaling.' },
        temperature: { type: 'number' },
        val_nll: { type: 'number' },
        val_nll_calibrated: { type: 'number' },
      },
    },
    charts: {
      type: 'array',
      description: 'The run’s chart artifacts (reliability diagram, confusion matrix) as SVG documents.',
      items: {
        type: 'object',
        required: ['name', 'svg'],
        properties: { name: { type: 'string' }, svg: { type: 'string' } },
      },
    },
  },
} as const;

export const runClassificationRouteSchema = {
  summary: 'A run’s classification report (per-class scores, confusion, ECE, temperature) and its charts',
  description: '404 when the run recorded no classification report (classification.json).',
  tags: ['dashboard'],
  params: runParamsSchema,
  response: { 200: runClassificationSchema, ...readErrors },
} as const;

export type RunSummary = Static<typeof runSummarySchema>;
export type RunsQuery = Static<typeof runsQuerySchema>;
export type RunsResponse = Static<(typeof runsRouteSchema)['response'][200]>;
export type RunDetailResponse = Static<typeof runDetailSchema>;
export type MetricSeriesResponse = Static<typeof metricSeriesSchema>;
export type RunClassificationResponse = Static<typeof runClassificationSchema>;

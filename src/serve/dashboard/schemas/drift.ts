import type { Static } from '../../schemas/static.js';
import { nullableNumber, readErrors } from './common.js';

const histogram = {
  type: 'object',
  required: ['edges', 'ref', 'cur'],
  properties: {
    edges: { type: 'array', items: { type: 'number' } },
    ref: { type: 'array', items: { type: 'number' } },
    cur: { type: 'array', items: { type: 'number' } },
  },
} as const;

const columnDrift = {
  type: 'object',
  required: ['name', 'test', 'score', 'threshold', 'drifted'],
  properties: {
    index: { type: 'integer' },
    name: { type: 'string' },
    test: { type: 'string', description: 'ks | wasserstein | psi | jensenshannon | chisquare | z' },
    test_label: { type: 'string' },
    score: nullableNumber,
    threshold: { type: 'number' },
    drifted: { type: 'boolean' },
    ref_mean: nullableNumber,
    ref_std: nullableNumber,
    cur_mean: nullableNumber,
    cur_std: nullableNumber,
    cur_n: { type: 'integer' },
    hist: histogram,
  },
} as const;

export const driftWindowQuerySchema = {
  type: 'object',
  properties: {
    window: { type: 'integer', minimum: 1, maximum: 100000, default: 5000, description: 'Last N logged requests.' },
    windows: { type: 'integer', minimum: 1, maximum: 48, default: 12, description: 'History: consecutive windows.' },
  },
} as const;

export const driftLatestSchema = {
  type: 'object',
  required: ['available'],
  properties: {
    available: { type: 'boolean' },
    reason: { type: 'string', description: 'Why there is no report (no traffic with sampled features …).' },
    profile_source: { type: 'string' },
    generated_at: { type: 'string' },
    requests: { type: 'integer', description: 'Logged requests read.' },
    current_rows: { type: 'integer' },
    reference_rows: { type: 'integer' },
    dataset: {
      type: 'object',
      required: ['drifted', 'share', 'drifted_features', 'num_features', 'share_threshold'],
      properties: {
        drifted: { type: 'boolean' },
        share: { type: 'number' },
        drifted_features: { type: 'integer' },
        num_features: { type: 'integer' },
        share_threshold: { type: 'number' },
      },
    },
    features: { type: 'array', items: columnDrift, description: 'Most drifted first.' },
    predictions: {
      type: 'object',
      required: ['drifted', 'score', 'test', 'ref_shares', 'cur_shares'],
      properties: {
        drifted: { type: 'boolean' },
        score: nullableNumber,
        test: { type: 'string' },
        ref_shares: { type: 'array', items: { type: 'number' } },
        class_names: { type: 'array', items: { type: 'string' } },
        cur_shares: { type: 'array', items: { type: 'number' } },
      },
    },
    structure: { type: 'array', items: columnDrift, description: 'Degree and subgraph-size drift.' },
    duration_ms: { type: 'number' },
  },
} as const;

export const driftLatestRouteSchema = {
  summary: 'Drift report of the latest request-log window against the reference profile',
  tags: ['dashboard'],
  querystring: driftWindowQuerySchema,
  response: { 200: driftLatestSchema, ...readErrors },
} as const;

export const driftHistorySchema = {
  type: 'object',
  required: ['available', 'points'],
  properties: {
    available: { type: 'boolean' },
    reason: { type: 'string' },
    share_threshold: { type: 'number' },
    points: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'requests', 'rows', 'share', 'drifted'],
        properties: {
          from: { type: 'number', description: 'Unix ms of the window’s first request.' },
          to: { type: 'number' },
          requests: { type: 'integer' },
          rows: { type: 'integer' },
          share: { type: 'number' },
          drifted: { type: 'boolean' },
          drifted_features: { type: 'integer' },
          prediction_score: nullableNumber,
        },
      },
    },
  },
} as const;

export const driftHistoryRouteSchema = {
  summary: 'Drift share over time: the last `window` requests split into `windows` consecutive windows',
  tags: ['dashboard'],
  querystring: driftWindowQuerySchema,
  response: { 200: driftHistorySchema, ...readErrors },
} as const;

const interval = {
  low: { type: 'number', description: 'Lower end of the interval (see `interval`).' },
  high: { type: 'number' },
} as const;

export const driftAccuracySchema = {
  type: 'object',
  required: ['available', 'points'],
  properties: {
    available: { type: 'boolean' },
    reason: { type: 'string', description: 'Why there is no estimate (no model loaded, no logged predictions …).' },
    model: { type: 'string' },
    version: { type: 'string' },
    latest: {
      type: 'object',
      description:
        'The whole window: expected accuracy = mean calibrated top-class probability of the served predictions (CBPE).',
      required: ['n', 'estimated', 'low', 'high', 'level', 'interval', 'calibration', 'per_class'],
      properties: {
        n: { type: 'integer', description: 'Node predictions in the window.' },
        requests: { type: 'integer' },
        estimated: { type: 'number' },
        ...interval,
        level: { type: 'number', description: 'Confidence level of [low, high].' },
        interval: { type: 'string' },
        calibration: { type: 'string', description: 'calibrated | uncalibrated | mixed | unknown' },
        warning: { type: 'string' },
        test_accuracy: nullableNumber,
        registered_temperature: nullableNumber,
        per_class: {
          type: 'array',
          description: 'Per predicted class: its expected precision.',
          items: {
            type: 'object',
            required: ['class', 'n', 'estimated', 'low', 'high'],
            properties: {
              class: { type: 'integer' },
              name: { type: 'string' },
              n: { type: 'integer' },
              estimated: { type: 'number' },
              ...interval,
            },
          },
        },
      },
    },
    points: {
      type: 'array',
      description: 'Consecutive windows of equal request count, oldest first.',
      items: {
        type: 'object',
        required: ['from', 'to', 'requests', 'n', 'estimated', 'low', 'high'],
        properties: {
          from: { type: 'number', description: 'Unix ms of the window’s first request.' },
          to: { type: 'number' },
          requests: { type: 'integer' },
          n: { type: 'integer' },
          estimated: { type: 'number' },
          ...interval,
        },
      },
    },
  },
} as const;

export const driftAccuracyRouteSchema = {
  summary:
    'Label-free accuracy estimate of the served version over the last `window` requests, whole and in `windows` consecutive windows',
  tags: ['dashboard'],
  querystring: driftWindowQuerySchema,
  response: { 200: driftAccuracySchema, ...readErrors },
} as const;

export type DriftAccuracyResponse = Static<typeof driftAccuracySchema>;
export type DriftWindowQuery = Static<typeof driftWindowQuerySchema>;
export type DriftLatestResponse = Static<typeof driftLatestSchema>;
export type ColumnDriftJson = Static<typeof columnDrift>;
export type DriftHistoryResponse = Static<typeof driftHistorySchema>;

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
    replica: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Only the requests this server logged (serve.replica); default the union of every replica.',
    },
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

export const driftChecksQuerySchema = {
  type: 'object',
  properties: {
    since: { type: 'integer', minimum: 0, description: 'Only checks at or after this Unix time (ms).' },
    model: { type: 'string', minLength: 1, maxLength: 200, description: 'Only checks of this served model.' },
    leader: { type: 'string', minLength: 1, maxLength: 200, description: 'Only checks run by this replica.' },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500, description: 'The newest N checks.' },
  },
} as const;

export const driftChecksSchema = {
  type: 'object',
  required: ['checks'],
  properties: {
    checks: {
      type: 'array',
      description:
        'Stored scheduled drift checks, oldest first: one per serve.drift_interval_s for the whole deployment, run by the replica holding the drift-check lease. They outlive request-log retention.',
      items: {
        type: 'object',
        required: [
          'id',
          'ts',
          'leader',
          'model',
          'version',
          'requests',
          'current_rows',
          'available',
          'dataset_drifted',
          'prediction_drifted',
          'accuracy_drop',
        ],
        properties: {
          id: { type: 'integer' },
          ts: { type: 'number', description: 'Unix ms when the check finished.' },
          leader: { type: 'string', description: 'The replica that ran it.' },
          model: { type: 'string' },
          version: { type: 'string' },
          requests: { type: 'integer', description: 'Request-log rows read.' },
          current_rows: { type: 'integer', description: 'Sampled feature rows among them.' },
          available: { type: 'boolean', description: 'False when the window had no sampled feature rows.' },
          share: nullableNumber,
          drifted_features: { type: ['integer', 'null'] },
          num_features: { type: ['integer', 'null'] },
          share_threshold: nullableNumber,
          dataset_drifted: { type: 'boolean', description: 'Alert flag: drift share at or above the threshold.' },
          prediction_score: nullableNumber,
          prediction_drifted: { type: 'boolean', description: 'Alert flag: prediction (class mix) drift.' },
          estimated_accuracy: nullableNumber,
          test_accuracy: nullableNumber,
          accuracy_drop: {
            type: 'boolean',
            description: 'Alert flag: the estimate more than 5 points below the registered test accuracy.',
          },
        },
      },
    },
  },
} as const;

export const driftChecksRouteSchema = {
  summary: 'Stored history of the scheduled drift checks (survives request-log retention)',
  tags: ['dashboard'],
  querystring: driftChecksQuerySchema,
  response: { 200: driftChecksSchema, ...readErrors },
} as const;

export const driftReplicasSchema = {
  type: 'object',
  required: ['replicas'],
  properties: {
    replicas: {
      type: 'array',
      description: 'Servers that logged requests, busiest first: the values the `replica` filter takes.',
      items: {
        type: 'object',
        required: ['replica', 'rows', 'last_ts'],
        properties: {
          replica: { type: 'string' },
          rows: { type: 'integer', description: 'Rows it has in the request log.' },
          last_ts: { type: 'number', description: 'Unix ms of its newest row.' },
        },
      },
    },
  },
} as const;

export const driftReplicasRouteSchema = {
  summary: 'Replicas that logged requests into the shared request log',
  tags: ['dashboard'],
  response: { 200: driftReplicasSchema, ...readErrors },
} as const;

export type DriftChecksQuery = Static<typeof driftChecksQuerySchema>;
export type DriftChecksResponse = Static<typeof driftChecksSchema>;
export type DriftReplicasResponse = Static<typeof driftReplicasSchema>;
export type DriftAccuracyResponse = Static<typeof driftAccuracySchema>;
export type DriftWindowQuery = Static<typeof driftWindowQuerySchema>;
export type DriftLatestResponse = Static<typeof driftLatestSchema>;
export type ColumnDriftJson = Static<typeof columnDrift>;
export type DriftHistoryResponse = Static<typeof driftHistorySchema>;

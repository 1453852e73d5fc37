/** The limits that route schemas embed (from the `serve` config section). */
export interface Limits {
  maxNodes: number;
  maxEdges: number;
  maxFeatures: number;
  maxBatch: number;
  /** Node ids per explanation request. */
  maxExplainNodes: number;
}

/** Every error body: KServe's `{error}` plus a stable code and, for bad input, the field and the limit. */
export const errorSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'What is wrong, naming the field and the limit.' },
    code: { type: 'string', description: 'Stable error code (E_BAD_REQUEST, E_LIMIT_EXCEEDED …).' },
    field: { type: 'string', description: 'The request field at fault, e.g. x[3][7] or edge_index[1][0].' },
    limit: { type: 'number', description: 'The limit that was exceeded, when one was.' },
  },
} as const;

/** The error responses every prediction route can give. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  413: errorSchema,
  415: errorSchema,
  422: errorSchema,
  503: errorSchema,
} as const;

export const securitySchemes = {
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
  bearer: { type: 'http', scheme: 'bearer' },
} as const;

/** OpenAPI security requirement: either header works. */
export const apiKeySecurity: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearer: [] }];

/** Per-request options of the prediction routes (the server's config gives their defaults). */
export const predictOptionProperties = {
  calibrated: {
    type: 'boolean',
    description:
      "true: probabilities calibrated with the version's temperature, softmax(logits / T); false: the raw softmax(logits) (T = 1). Default: serve.calibrated.",
  },
  ood_score: {
    type: 'boolean',
    description:
      "true: add each node's out-of-distribution score (GNNSafe's propagated energy; higher = less like the training data). Default: serve.ood_score.",
  },
} as const;

export const oodScoreDescription =
  'GNNSafe energy score, −logsumexp(logits) propagated over the graph (higher = less like the training data); only when asked for.';

export const temperatureProperty = {
  type: 'number',
  description: 'The softmax temperature applied to these probabilities (1 = raw).',
} as const;

/**
 * One node of the served graph as a request names it: a string is the node's original id (a dataset imported
 * with ids of its own, or the decimal index otherwise), an integer its index (data/node-ids.ts).
 */
export const nodeRefSchema = {
  type: ['string', 'integer'],
  minLength: 1,
  maxLength: 1000,
  description:
    "A node's original id (a string: the id column of an imported node table) or its index (an integer, 0..n-1).",
} as const;

/** A node in an answer: its original id (a string) when the dataset was imported with ids, else its index. */
export const nodeIdOutSchema = {
  type: ['string', 'integer'],
  description: 'The original id for a dataset imported with ids of its own (a string), else the node index.',
} as const;

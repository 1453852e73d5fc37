import { errorResponses, errorSchema, type Limits, predictOptionProperties, temperatureProperty } from './common.js';
import type { Static } from './static.js';

/** KServe V2 datatypes the server accepts on input. */
export const V2_DATATYPES = ['FP32', 'FP64', 'INT64', 'INT32'] as const;

const shape = { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 8 } as const;

export function inferTensorSchema(l: Limits) {
  return {
    type: 'object',
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: {
        type: 'string',
        description: '`x` (FP32 [n, F]), `edge_index` (INT64 [2, E]) or `node_ids` (INT64 [k]).',
      },
      shape,
      datatype: { type: 'string' },
      parameters: {
        type: 'object',
        properties: {
          binary_data_size: {
            type: 'integer',
            minimum: 0,
            description:
              'Binary tensor data extension: the tensor is sent as this many raw little-endian bytes after the ' +
              'JSON part of the body (FP32, FP64, INT32 or INT64), instead of `data`.',
          },
        },
      },
      data: {
        type: 'array',
        description:
          'Row-major flat values, or nested arrays matching the shape. Required unless ' +
          '`parameters.binary_data_size` is given.',
        maxItems: Math.max(l.maxNodes * l.maxFeatures, 2 * l.maxEdges),
      },
    },
  } as const;
}

export function inferRequestSchema(l: Limits) {
  return {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string' },
      parameters: {
        type: 'object',
        properties: {
          binary_data_output: {
            type: 'boolean',
            description: 'Return every output as binary tensor data (unless its own `binary_data` says otherwise).',
          },
          ...predictOptionProperties,
        },
      },
      inputs: { type: 'array', minItems: 1, maxItems: 8, items: inferTensorSchema(l) },
      outputs: {
        type: 'array',
        description: 'Requested outputs (default all): `probabilities` FP32 [n, C], `predictions` INT64 [n].',
        items: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            parameters: {
              type: 'object',
              properties: {
                binary_data: { type: 'boolean', description: 'Return this output as binary tensor data.' },
              },
            },
          },
        },
      },
    },
  } as const;
}

export const outputTensorSchema = {
  type: 'object',
  required: ['name', 'shape', 'datatype'],
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
    datatype: { type: 'string' },
    parameters: {
      type: 'object',
      properties: { binary_data_size: { type: 'integer', description: 'Bytes of this output after the JSON part.' } },
    },
    data: { type: 'array', items: { type: 'number' }, description: 'Absent when the output is sent in binary.' },
  },
} as const;

export const inferResponseSchema = {
  type: 'object',
  required: ['model_name', 'model_version', 'outputs'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters: {
      type: 'object',
      required: ['temperature'],
      properties: { temperature: temperatureProperty },
    },
    outputs: { type: 'array', items: outputTensorSchema },
  },
} as const;

const modelParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'Served model name.' } },
} as const;

export function inferRouteSchema(l: Limits) {
  return {
    summary: 'Open Inference Protocol (KServe V2) inference',
    description:
      'Inputs as JSON (`application/json`), or with the binary tensor data extension: `Content-Type: ' +
      'application/octet-stream`, header `Inference-Header-Content-Length: <bytes of the JSON part>`, the JSON ' +
      'request below, then the raw little-endian row-major bytes of each input that has ' +
      '`parameters.binary_data_size` (and no `data`), in input order. FP32, FP64, INT32 and INT64 tensors have a ' +
      'binary form; BYTES does not. Outputs are JSON unless `parameters.binary_data_output` (or an output’s ' +
      '`parameters.binary_data`) is true: then the response is `application/octet-stream` with its own ' +
      '`Inference-Header-Content-Length`, and each binary output has `parameters.binary_data_size` instead of `data`.',
    tags: ['v2'],
    params: modelParams,
    body: inferRequestSchema(l),
    response: { 200: inferResponseSchema, ...errorResponses },
  } as const;
}

const tensorMeta = {
  type: 'object',
  required: ['name', 'datatype', 'shape'],
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export const modelMetadataSchema = {
  type: 'object',
  required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorMeta },
    outputs: { type: 'array', items: tensorMeta },
  },
} as const;

export const modelMetadataRouteSchema = {
  summary: 'Open Inference Protocol model metadata',
  tags: ['v2'],
  params: modelParams,
  response: { 200: modelMetadataSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema },
} as const;

export const modelReadyRouteSchema = {
  summary: 'Open Inference Protocol model readiness',
  tags: ['v2'],
  params: modelParams,
  response: {
    200: {
      type: 'object',
      required: ['name', 'ready'],
      properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
    },
    404: errorSchema,
    503: errorSchema,
  },
} as const;

export const liveRouteSchema = {
  summary: 'Liveness: the process serves HTTP',
  tags: ['health'],
  response: { 200: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } } },
} as const;

export const readyRouteSchema = {
  summary: 'Readiness: a model is loaded (503 until then)',
  tags: ['health'],
  response: {
    200: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } },
    503: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' }, error: { type: 'string' } } },
  },
} as const;

export const serverMetadataRouteSchema = {
  summary: 'Open Inference Protocol server metadata',
  tags: ['v2'],
  response: {
    200: {
      type: 'object',
      required: ['name', 'version', 'extensions'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        extensions: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

export type InferRequest = Static<ReturnType<typeof inferRequestSchema>>;
export type InferTensor = Static<ReturnType<typeof inferTensorSchema>>;
export type InferResponse = Static<typeof inferResponseSchema>;
export type OutputTensor = Static<typeof outputTensorSchema>;
export type ModelMetadata = Static<typeof modelMetadataSchema>;
export type ModelParams = Static<typeof modelParams>;

/**
 * The Open Inference Protocol's binary tensor data extension (as Triton and KServe define it) for HTTP:
 *
 *   POST /v2/models/{name}/infer
 *   Content-Type: application/octet-stream
 *   Inference-Header-Content-Length: <bytes of the JSON part>
 *   <JSON inference request><raw bytes of input 0><raw bytes of input 1>…
 *
 * An input sent in binary has `"parameters": {"binary_data_size": <bytes>}` and no `data`; the raw parts follow the
 * JSON in the order of `inputs`. Tensors are little-endian, row-major, without padding; BYTES tensors are not
 * supported. Outputs come back the same way when asked for (`binary_data_output: true` in the request parameters,
 * or `binary_data: true` on one output), with the `Inference-Header-Content-Length` response header.
 */
import { endianness } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../util/errors.js';
import { requestError } from './errors.js';
import { parseJsonBytes } from './json-parser.js';

export const BINARY_CONTENT_TYPE = 'application/octet-stream';
/** Request and response header giving the byte length of the JSON part of the body. */
export const INFERENCE_HEADER = 'inference-header-content-length';
const HEADER_FIELD = 'Inference-Header-Content-Length';

/** Bytes per element of the datatypes accepted as binary tensors. */
export const BINARY_ELEMENT_SIZE: Readonly<Record<string, number>> = { FP32: 4, FP64: 8, INT32: 4, INT64: 8 };

const LITTLE_ENDIAN = endianness() === 'LE';

/** The binary part of each parsed request body (keyed by the parsed JSON object, which validation keeps). */
const binaryParts = new WeakMap<object, Buffer>();

/** The raw tensor bytes that followed the JSON part of `body`, if it came with the binary extension. */
export function binaryPartOf(body: unknown): Buffer | undefined {
  return body !== null && typeof body === 'object' ? binaryParts.get(body) : undefined;
}

/**
 * Split a binary-extension body at `Inference-Header-Content-Length` and parse the JSON part like any JSON body.
 * @throws GnnopsError 400 (header missing, not a byte count, longer than the body) or 413 (over `bodyLimit`)
 */
export function splitBinaryBody(headerValue: string | string[] | undefined, bytes: Buffer, bodyLimit: number): unknown {
  if (headerValue === undefined) {
    throw requestError(
      ErrorCodes.BAD_REQUEST,
      HEADER_FIELD,
      `is required with Content-Type ${BINARY_CONTENT_TYPE}: give the byte length of the JSON part of the body`,
    );
  }
  const raw = Array.isArray(headerValue) ? headerValue.join(',') : headerValue.trim();
  if (!/^\d{1,15}$/.test(raw)) {
    throw requestError(
      ErrorCodes.BAD_REQUEST,
      HEADER_FIELD,
      `must be a non-negative integer byte count, got ${JSON.stringify(raw)}`,
    );
  }
  const jsonLength = Number(raw);
  if (jsonLength > bodyLimit) {
    throw requestError(
      ErrorCodes.LIMIT_EXCEEDED,
      HEADER_FIELD,
      `is ${jsonLength} bytes, more than the body limit of ${bodyLimit} bytes (serve.body_limit)`,
      { limit: bodyLimit },
    );
  }
  if (jsonLength > bytes.length) {
    throw requestError(
      ErrorCodes.BAD_REQUEST,
      HEADER_FIELD,
      `is ${jsonLength} but the body has only ${bytes.length} bytes`,
      { limit: bytes.length },
    );
  }
  const value = parseJsonBytes(bytes.subarray(0, jsonLength));
  if (value !== null && typeof value === 'object') binaryParts.set(value, bytes.subarray(jsonLength));
  return value;
}

/** Register the binary-extension body parser on a scope (the V2 infer route's own, so other routes stay JSON-only). */
export function registerBinaryParser(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser(
    BINARY_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit },
    (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      let value: unknown;
      try {
        value = splitBinaryBody(
          req.headers[INFERENCE_HEADER],
          typeof body === 'string' ? Buffer.from(body) : body,
          bodyLimit,
        );
      } catch (e) {
        done(e as Error);
        return;
      }
      done(null, value);
    },
  );
}

/** The element type of each binary datatype (little-endian on the wire). */
type Typed = Float32Array | Float64Array | Int32Array | BigInt64Array;

/**
 * Copy little-endian tensor bytes into a fresh (aligned) typed array of `datatype`: the slice can start at any
 * offset of the body, and typed arrays need their element alignment.
 */
export function readTensor(bytes: Buffer, datatype: string): Typed {
  const size = BINARY_ELEMENT_SIZE[datatype];
  const ab = new ArrayBuffer(bytes.length);
  const u8 = new Uint8Array(ab);
  u8.set(bytes);
  if (!LITTLE_ENDIAN) swap(Buffer.from(ab), size);
  switch (datatype) {
    case 'FP32':
      return new Float32Array(ab);
    case 'FP64':
      return new Float64Array(ab);
    case 'INT32':
      return new Int32Array(ab);
    default:
      return new BigInt64Array(ab);
  }
}

function swap(b: Buffer, size: number): void {
  if (size === 4) b.swap32();
  else if (size === 8) b.swap64();
}

/** The little-endian bytes of a typed array (a view on little-endian hosts, a swapped copy otherwise). */
export function tensorBytes(t: Typed | Uint8Array): Buffer {
  const b = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
  if (LITTLE_ENDIAN || t.BYTES_PER_ELEMENT === 1) return b;
  const copy = Buffer.from(b);
  swap(copy, t.BYTES_PER_ELEMENT);
  return copy;
}

/**
 * Assemble a binary-extension body: the JSON part, then each tensor's bytes in order. Returns the body and the
 * value for the `Inference-Header-Content-Length` header. Used for responses, and by clients (tests, benchmarks).
 */
export function encodeBinaryBody(
  header: unknown,
  tensors: (Typed | Uint8Array)[],
): { body: Buffer; jsonLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...tensors.map(tensorBytes)]), jsonLength: json.length };
}

/** A tensor to send in binary: `data` is a typed array of the datatype's width. */
export interface BinaryInput {
  name: string;
  shape: number[];
  datatype: 'FP32' | 'FP64' | 'INT32' | 'INT64';
  data: Typed;
}

/**
 * Build a V2 infer request that sends every input in binary (a client-side helper: tests and the load test use
 * it). `extra` adds top-level fields (`id`, `outputs`, `parameters`).
 */
export function binaryInferRequest(
  inputs: BinaryInput[],
  extra: Record<string, unknown> = {},
): { body: Buffer; headers: Record<string, string> } {
  const header = {
    ...extra,
    inputs: inputs.map(({ name, shape, datatype, data }) => ({
      name,
      shape,
      datatype,
      parameters: { binary_data_size: data.byteLength },
    })),
  };
  const { body, jsonLength } = encodeBinaryBody(
    header,
    inputs.map((i) => i.data),
  );
  return { body, headers: { 'content-type': BINARY_CONTENT_TYPE, [INFERENCE_HEADER]: String(jsonLength) } };
}

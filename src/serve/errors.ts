import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ErrorCodes, GnnopsError, isGnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';

/** HTTP status of each error code the server can answer with. Unlisted codes are server faults (500). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.LIMIT_EXCEEDED]: 413,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCodes.INVALID_ARGUMENT]: 422,
  [ErrorCodes.DATA_INVALID]: 422,
  [ErrorCodes.CHECKPOINT_INVALID]: 422,
  [ErrorCodes.MODEL_NOT_READY]: 503,
  [ErrorCodes.NOT_AVAILABLE]: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** A client error naming the field at fault (and the limit, when one applies). */
export function requestError(
  code: ErrorCode,
  field: string,
  message: string,
  extra: { limit?: number; [k: string]: unknown } = {},
): GnnopsError {
  return new GnnopsError(code, `${field}: ${message}`, { field, ...extra });
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: string;
  code: string;
  field?: string;
  limit?: number;
}

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message?: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: { minItems?: number; maxItems?: number };
}

/** `/x/3/7` → `x[3][7]`; `/instances/0/x` → `instances[0].x`. */
export function fieldOf(instancePath: string, prefix = ''): string {
  let out = prefix;
  for (const part of instancePath.split('/').slice(1)) {
    const p = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out === '' ? 'body' : out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/**
 * With `anyOf` request bodies (single or batched /predict) ajv reports the first error of every branch. Report
 * the branch the body was meant for: an array → the bare-array batch, an object with `instances` → the
 * `instances` batch, anything else → the single subgraph.
 */
function pickBranch(errors: AjvError[], body: unknown): AjvError[] {
  if (!errors.some((e) => e.schemaPath.startsWith('#/anyOf/'))) return errors;
  const branch = Array.isArray(body) ? 2 : body !== null && typeof body === 'object' && 'instances' in body ? 1 : 0;
  const mine = errors.filter((e) => e.schemaPath.startsWith(`#/anyOf/${branch}/`));
  return mine.length > 0 ? mine : errors;
}

/** Turn ajv's first relevant error into a 400 (shape) or 413 (a maxItems limit) naming the field. */
export function validationError(errors: AjvError[], context: string, body: unknown): GnnopsError {
  const e = pickBranch(errors, body)[0];
  const field = context === 'body' ? fieldOf(e.instancePath) : fieldOf(e.instancePath, context);
  const got = `got ${describeValue(e.data)}`;
  const fixed = e.parentSchema?.minItems !== undefined && e.parentSchema.minItems === e.parentSchema.maxItems;
  if (fixed && (e.keyword === 'minItems' || e.keyword === 'maxItems')) {
    // a fixed-size array such as edge_index (2 × E): a shape error, not a size limit
    const n = e.parentSchema?.minItems;
    const what = field.endsWith('edge_index') ? `2 × E ([sources, targets])` : `exactly ${n} items`;
    return requestError(ErrorCodes.BAD_REQUEST, field, `must be ${what}, ${got}`);
  }
  switch (e.keyword) {
    case 'maxItems': {
      const limit = Number(e.params.limit);
      return requestError(ErrorCodes.LIMIT_EXCEEDED, field, `has more than ${limit} items (limit ${limit})`, {
        limit,
      });
    }
    case 'minItems':
      return requestError(ErrorCodes.BAD_REQUEST, field, `must have at least ${String(e.params.limit)} items, ${got}`);
    case 'required':
      return requestError(
        ErrorCodes.BAD_REQUEST,
        field === 'body' ? String(e.params.missingProperty) : `${field}.${String(e.params.missingProperty)}`,
        'is required',
      );
    case 'type':
      if (typeof e.data === 'number' && !Number.isFinite(e.data)) {
        // ajv rejects non-finite numbers as "not a number": 1e999 parses to Infinity
        return requestError(ErrorCodes.INVALID_ARGUMENT, field, `${String(e.data)} is not a finite number`);
      }
      return requestError(ErrorCodes.BAD_REQUEST, field, `must be ${String(e.params.type)}, ${got}`);
    default:
      return requestError(ErrorCodes.BAD_REQUEST, field, `${e.message ?? 'is invalid'}, ${got}`);
  }
}

/** Map Fastify's own errors (content type, body size, JSON) to gnnops errors with a helpful message. */
function fromFastify(err: FastifyError, req: FastifyRequest, bodyLimit: number): GnnopsError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return requestError(
        ErrorCodes.LIMIT_EXCEEDED,
        'body',
        `request body is larger than ${bodyLimit} bytes (serve.body_limit)`,
        { limit: bodyLimit },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return requestError(
        ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
        'content-type',
        `${JSON.stringify(req.headers['content-type'] ?? '')} is not supported; send application/json${
          req.routeOptions?.url?.endsWith('/infer')
            ? ' (or application/octet-stream with Inference-Header-Content-Length: binary tensor data)'
            : ''
        }`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return requestError(ErrorCodes.BAD_REQUEST, 'content-length', 'does not match the body received');
    default:
      return undefined;
  }
}

/** The central error handler: every error becomes `{error, code[, field, limit]}`; no stack ever leaves. */
export function makeErrorHandler(bodyLimit: number) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    let e: GnnopsError | undefined;
    if (isGnnopsError(err)) e = err;
    else if (err.validation) {
      e = validationError(err.validation as unknown as AjvError[], err.validationContext ?? 'body', req.body);
    } else e = fromFastify(err, req, bodyLimit);

    if (e) {
      const status = statusOf(e.code);
      if (status >= 500) log.warn({ code: e.code, url: req.url }, e.message);
      reply.code(status).send(toBody(e));
      return;
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status < 500) {
      reply
        .code(status)
        .send({ error: err.message, code: status === 404 ? ErrorCodes.NOT_FOUND : ErrorCodes.BAD_REQUEST });
      return;
    }
    log.error({ err, url: req.url }, 'unexpected error while serving a request');
    reply.code(500).send({ error: 'internal server error', code: ErrorCodes.INTERNAL });
  };
}

export function toBody(e: GnnopsError): ErrorBody {
  const body: ErrorBody = { error: e.message, code: e.code };
  const field = e.details?.field;
  const limit = e.details?.limit;
  if (typeof field === 'string') body.field = field;
  if (typeof limit === 'number') body.limit = limit;
  return body;
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, code: ErrorCodes.NOT_FOUND });
}

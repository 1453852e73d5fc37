import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes, type GnnopsError } from '../util/errors.js';
import { fieldOf, requestError } from './errors.js';
import { parseJsonFast } from './fast-json.js';

const SENTINEL = '~gnnops-non-finite~';
/** A bare NaN / Infinity / -Infinity token in value position (what Python's json.dumps writes for floats). */
const NON_FINITE = /([[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])/g;

/** Path of the first sentinel string in a parsed value, JSON-pointer style. */
function findSentinel(v: unknown, path: string): string | undefined {
  if (v === SENTINEL) return path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = findSentinel(v[i], `${path}/${i}`);
      if (p !== undefined) return p;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = findSentinel(x, `${path}/${k}`);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/**
 * Explain a body JSON.parse rejected. Non-standard NaN/Infinity tokens get a 422 naming the first field that holds
 * one (JSON cannot carry them); anything else is a 400 with the parser's message.
 */
export function explainBadJson(body: string, parseMessage: string): GnnopsError {
  NON_FINITE.lastIndex = 0;
  const m = NON_FINITE.exec(body);
  if (m) {
    let field = 'body';
    try {
      const path = findSentinel(JSON.parse(body.replace(NON_FINITE, `$1"${SENTINEL}"`)), '');
      if (path !== undefined) field = fieldOf(path);
    } catch {
      // still malformed elsewhere: keep the generic field
    }
    return requestError(
      ErrorCodes.INVALID_ARGUMENT,
      field,
      `${m[2]} is not a finite number (JSON has no NaN/Infinity; send finite values)`,
    );
  }
  return requestError(ErrorCodes.BAD_REQUEST, 'body', `malformed JSON: ${parseMessage}`);
}

/**
 * Parse a JSON body held as bytes, as every body parser here does: the byte-level parser takes the common bodies,
 * JSON.parse takes the rest and words the errors. Whitespace only parses as null. Prototype-poisoning keys
 * (`__proto__`, `constructor.prototype`) are rejected like Fastify's default parser does.
 * @throws GnnopsError 400 (malformed, poisoned) or 422 (NaN/Infinity tokens) naming the field
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  let value = parseJsonFast(bytes);
  if (value === undefined) {
    const text = bytes.toString('utf8');
    if (text.trim().length === 0) return null;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw explainBadJson(text, (e as Error).message);
    }
  }
  if ((bytes.includes('__proto__') || bytes.includes('constructor')) && hasPoison(value)) {
    throw requestError(ErrorCodes.BAD_REQUEST, 'body', 'keys __proto__ and constructor.prototype are not allowed');
  }
  return value;
}

/**
 * The root body parser: application/json (any other content type is a 415). An empty body parses as null so that
 * routes with optional bodies accept it and the others report "body must be object". The V2 infer route adds
 * application/octet-stream in its own scope (v2-binary.ts).
 */
export function registerJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      let value: unknown;
      try {
        value = parseJsonBytes(typeof body === 'string' ? Buffer.from(body) : body);
      } catch (e) {
        done(e as Error);
        return;
      }
      done(null, value);
    },
  );
}

function hasPoison(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasPoison);
  if (v === null || typeof v !== 'object') return false;
  if (Object.hasOwn(v, '__proto__')) return true;
  const ctor = (v as Record<string, unknown>).constructor;
  if (Object.hasOwn(v, 'constructor') && ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype'))
    return true;
  return Object.values(v).some(hasPoison);
}

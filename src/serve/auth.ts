import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The key a request presents: `x-api-key: K` or `Authorization: Bearer K`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const h = req.headers['x-api-key'];
  if (typeof h === 'string' && h.length > 0) return h;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return undefined;
}

/**
 * An onRequest hook that admits requests carrying `key` (compared in constant time over digests). Admin routes
 * use it always; with no key configured they are closed (403) rather than open.
 */
export function requireKey(key: string | undefined, what: 'admin' | 'public') {
  const want = key === undefined ? undefined : digest(key);
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (want === undefined) {
      throw new GnnopsError(
        ErrorCodes.FORBIDDEN,
        `the ${what} API is disabled: start the server with GNNOPS_API_KEY set`,
      );
    }
    const got = presentedKey(req);
    if (got === undefined || !timingSafeEqual(digest(got), want)) {
      throw new GnnopsError(
        ErrorCodes.UNAUTHORIZED,
        `${what} route needs the API key: send "x-api-key: <GNNOPS_API_KEY>" or "Authorization: Bearer <key>"`,
      );
    }
  };
}

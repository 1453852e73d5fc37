import { ErrorCodes, GnnopsError } from '../util/errors.js';

const MAX_KEY = 1024;

/**
 * Validate an object key: 1..1024 characters, "/"-separated segments, none empty, "." or "..", no backslash or
 * control characters. The same rule for every backend keeps a local folder from being escaped by a key.
 */
export function checkKey(key: string): string {
  const bad = (why: string): never => {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `storage key ${JSON.stringify(key)}: ${why}`, { key });
  };
  if (typeof key !== 'string' || key.length === 0) bad('must be a non-empty string');
  if (key.length > MAX_KEY) bad(`is ${key.length} characters long, the limit is ${MAX_KEY}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(key)) bad('must not contain backslashes or control characters');
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') bad('segments must be non-empty and not "." or ".."');
  }
  return key;
}

/** Normalise a configured prefix: "" or "a/b/" (always ending in "/"). */
export function normalisePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, '');
  if (p === '') return '';
  return p.endsWith('/') ? p : `${p}/`;
}

import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** Where the store lives, parsed once from `GNNOPS_DATABASE_URL` (or config `store.url`). */
export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string; display: string }
  | { dialect: 'postgres'; url: string; display: string };

/** The URL with its password replaced, safe for logs and error messages. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL: hide anything between "//user:" and "@" so a malformed secret never reaches a log.
    return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * Parse a store URL:
 * - `sqlite:PATH` (relative paths resolve against the workspace), `sqlite:` alone or an empty value is the
 *   workspace's own `gnnops.db`;
 * - `postgres://user[:password]@host[:port]/db[?sslmode=…]` (also `postgresql://`), passed to node-postgres as is,
 *   so its TLS and connection options apply.
 * `source` names where the value came from, for the error message.
 */
export function parseDatabaseUrl(
  raw: string | undefined,
  home: string,
  source = 'GNNOPS_DATABASE_URL',
): DatabaseTarget {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'sqlite:') {
    const path = join(home, 'gnnops.db');
    return { dialect: 'sqlite', path, display: `sqlite:${path}` };
  }
  if (value.startsWith('sqlite:')) {
    let p = value.slice('sqlite:'.length);
    if (p.startsWith('//')) p = p.slice(2);
    const path = isAbsolute(p) ? p : resolve(home, p);
    return { dialect: 'sqlite', path, display: `sqlite:${path}` };
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw new GnnopsError(ErrorCodes.CONFIG_INVALID, `${source}: not a valid URL: ${redactUrl(value)}`, {
        field: source,
      });
    }
    if (!u.hostname) {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `${source}: the PostgreSQL URL has no host: ${redactUrl(value)}`,
        {
          field: source,
        },
      );
    }
    if (u.pathname.replace(/^\//, '') === '') {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `${source}: the PostgreSQL URL names no database (postgres://user@host:port/DATABASE): ${redactUrl(value)}`,
        { field: source },
      );
    }
    return { dialect: 'postgres', url: value, display: redactUrl(value) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw new GnnopsError(
    ErrorCodes.CONFIG_INVALID,
    `${source}: unsupported store ${scheme ? `scheme "${scheme}:"` : `value "${redactUrl(value)}"`}; use sqlite:PATH or postgres://user@host:port/db`,
    { field: source },
  );
}

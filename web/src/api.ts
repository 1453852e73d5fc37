/**
 * The typed client of the server. Every type comes from the server's route schemas (Static<schema>) or its
 * source types: there is no second copy of the API's shapes here.
 */
export type * from './api-types.js';

const KEY = 'gnnops.apiKey';

/** The API key (admin routes; public ones too when the server requires it), kept for this browser session. */
export function apiKey(): string {
  return sessionStorage.getItem(KEY) ?? '';
}

export function setApiKey(k: string): void {
  if (k) sessionStorage.setItem(KEY, k);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** GET/POST JSON; errors become ApiError with the server's `{error, code}` message. */
export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = apiKey();
  if (key) headers['x-api-key'] = key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (e) {
    throw new ApiError(0, `cannot reach the server (${(e as Error).message})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = body as { error?: string; code?: string } | undefined;
    throw new ApiError(res.status, err?.error ?? `${res.status} ${res.statusText}`, err?.code);
  }
  return body as T;
}

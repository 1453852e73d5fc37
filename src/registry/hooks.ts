import { spawn } from 'node:child_process';
import type { Config } from '../config/schema.js';
import { log } from '../util/logger.js';
import type { HookOutcome, RegistryEvent } from './types.js';

export interface PromotionHooks {
  /** Shell command (`/bin/sh -c`), run with env NAME, VERSION, ALIAS, FROM_VERSION, EVENT_ID (and GNNOPS_-prefixed twins). */
  command?: string;
  /** URL that receives `POST` with the event as JSON. */
  webhook?: string;
  /** Per hook; default 30 s. */
  timeoutMs?: number;
}

function eventEnv(e: RegistryEvent): Record<string, string> {
  const v = {
    NAME: e.model,
    VERSION: e.version === null ? '' : String(e.version),
    ALIAS: e.alias ?? '',
    FROM_VERSION: e.fromVersion === null ? '' : String(e.fromVersion),
    EVENT_ID: String(e.id),
  };
  const prefixed = Object.fromEntries(Object.entries(v).map(([k, x]) => [`GNNOPS_${k}`, x]));
  return { ...v, ...prefixed };
}

function runCommand(command: string, e: RegistryEvent, timeoutMs: number): Promise<HookOutcome> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...eventEnv(e) },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 2000) stderr += b.toString();
    });
    const finish = (o: Omit<HookOutcome, 'kind' | 'target' | 'durationMs'>) =>
      resolve({ kind: 'command', target: command, durationMs: performance.now() - t0, ...o });
    child.on('error', (err) => finish({ ok: false, status: null, error: err.message }));
    child.on('close', (code, signal) => {
      if (code === 0) finish({ ok: true, status: 0 });
      else
        finish({
          ok: false,
          status: code,
          error: signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : stderr.trim() || `exit code ${code}`,
        });
    });
  });
}

async function postWebhook(url: string, e: RegistryEvent, timeoutMs: number): Promise<HookOutcome> {
  const t0 = performance.now();
  const base = { kind: 'webhook' as const, target: url };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'gnnops-registry' },
      body: JSON.stringify(e),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { ...base, ok: res.ok, status: res.status, durationMs: performance.now() - t0 };
  } catch (err) {
    return { ...base, ok: false, status: null, error: (err as Error).message, durationMs: performance.now() - t0 };
  }
}

/**
 * Run the configured promotion command and webhook for an event, concurrently. Failures are logged and
 * reported in the outcomes, never thrown: the alias change is already committed.
 */
export async function runPromotionHooks(e: RegistryEvent, hooks: PromotionHooks): Promise<HookOutcome[]> {
  const timeout = hooks.timeoutMs ?? 30_000;
  const jobs: Promise<HookOutcome>[] = [];
  if (hooks.command) jobs.push(runCommand(hooks.command, e, timeout));
  if (hooks.webhook) jobs.push(postWebhook(hooks.webhook, e, timeout));
  const out = await Promise.all(jobs);
  for (const o of out) {
    if (!o.ok) log.warn({ hook: o.kind, target: o.target, status: o.status, error: o.error }, 'promotion hook failed');
  }
  return out;
}

/** Hooks from the `registry` config section. */
export function hooksFromConfig(c: Config['registry']): PromotionHooks {
  return { command: c.on_promote_command, webhook: c.on_promote_webhook, timeoutMs: c.hook_timeout_s * 1000 };
}

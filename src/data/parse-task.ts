import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, ErrorCodes, GnnopsError } from '../util/errors.js';
import type { PlanetoidName, PlanetoidOptions } from './datasets/planetoid.js';
import type { WikiCSOptions } from './datasets/wikics.js';
import type { GraphData } from './graph.js';

/** A raw dataset to parse in a worker thread. */
export type ParseTask =
  | {
      kind: 'wikics';
      path: string;
      options: Omit<WikiCSOptions, 'metadata'>;
      /** Also read metadata.json beside the file when it exists. */
      withMetadata: boolean;
    }
  | { kind: 'planetoid'; name: PlanetoidName; dir: string; options: PlanetoidOptions };

type Reply =
  | { ok: true; graph: GraphData }
  | { ok: false; error: { code?: ErrorCode; message: string; details?: Record<string, unknown> } };

/** The worker entry beside this module: .ts under tsx (dev, tests), .js once compiled. */
function workerUrl(): URL {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`./parse-worker${ext}`, import.meta.url);
}

/**
 * Parse raw data on a worker thread; the caller's event loop stays free. The worker's heap (for WikiCS the
 * parsed JSON tree, several times the file size) is released when it exits; only the typed arrays come back,
 * transferred without a copy.
 */
export function parseInWorker(task: ParseTask): Promise<GraphData> {
  const path = task.kind === 'wikics' ? task.path : task.dir;
  if (!existsSync(path)) {
    return Promise.reject(new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `data file not found: ${path}`, { path }));
  }
  return new Promise((resolve, reject) => {
    const url = workerUrl();
    // Node 20 does not run `--import tsx` in workers: under tsx, register its loader in the worker first.
    const w = url.pathname.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`,
          { eval: true, workerData: task },
        )
      : new Worker(url, { workerData: task });
    let settled = false;
    w.once('message', (r: Reply) => {
      settled = true;
      if (r.ok) resolve(r.graph);
      else reject(new GnnopsError(r.error.code ?? ErrorCodes.INTERNAL, r.error.message, r.error.details));
    });
    w.once('error', (e) => {
      settled = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!settled) reject(new GnnopsError(ErrorCodes.INTERNAL, `parse worker exited with code ${code}`));
    });
  });
}

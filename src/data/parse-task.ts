import { existsSync } from 'node:fs';
import { type ErrorCode, ErrorCodes, GnnopsError } from '../util/errors.js';
import { moduleWorker } from '../util/worker.js';
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
    const w = moduleWorker('parse-worker', import.meta.url, task);
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

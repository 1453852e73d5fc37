/**
 * Worker-thread entry: parses a raw dataset off the main thread and sends the GraphData back with its typed
 * array buffers transferred (no copy). Errors travel as {code, message, details} and are rebuilt as GnnopsError.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { isGnnopsError } from '../util/errors.js';
import { type PlanetoidPart, PlanetoidParts, parsePlanetoid, planetoidFileName } from './datasets/planetoid.js';
import { parseWikiCSText, readWikiCSMetadata } from './datasets/wikics.js';
import type { GraphData } from './graph.js';
import { graphArrays } from './hash.js';
import type { ParseTask } from './parse-task.js';

function run(task: ParseTask): GraphData {
  if (task.kind === 'planetoid') {
    const files = {} as Record<PlanetoidPart, Uint8Array>;
    for (const p of PlanetoidParts) files[p] = readFileSync(join(task.dir, planetoidFileName(task.name, p)));
    return parsePlanetoid(task.name, files, task.options);
  }
  const metadata = task.withMetadata ? readWikiCSMetadata(task.path) : undefined;
  const text = readFileSync(task.path, 'utf8');
  return parseWikiCSText(text, { ...task.options, ...(metadata ? { metadata } : {}) });
}

try {
  const g = run(workerData as ParseTask);
  const buffers = [...new Set(Object.values(graphArrays(g)).map((a) => a.buffer as ArrayBuffer))];
  parentPort?.postMessage({ ok: true, graph: g }, buffers);
} catch (e) {
  const err = isGnnopsError(e)
    ? { code: e.code, message: e.message, details: e.details }
    : { message: e instanceof Error ? e.message : String(e) };
  parentPort?.postMessage({ ok: false, error: err });
}

/**
 * WikiCS (Mernyei & Cangea 2020, arXiv:2007.02901) from its `data.json`: one JSON object with
 * `features` [N][300], `labels` [N], `links` [N][*] (directed out-links), `train_masks`/`val_masks`/
 * `stopping_masks` [20][N] and `test_mask` [N]. Any file in this format works (e.g. `gnnops data synth`).
 *
 * As PyG's `WikiCS` does by default, links are made undirected and deduplicated; `undirected: false` keeps
 * the raw directed entries. Everything is validated, and an error names the field and index that is wrong.
 * `parseWikiCSFile` runs in a worker thread so a server's event loop stays responsive during the ~40 MB parse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildCsr } from '../../engine/index.js';
import { dataError } from '../../util/errors.js';
import type { GraphData, Split } from '../graph.js';
import { withHash } from '../hash.js';
import { parseInWorker } from '../parse-task.js';
import type { DatasetSource } from './source.js';

export const WIKICS_BASE_URL = 'https://github.com/pmernyei/wiki-cs-dataset/raw/master/dataset';

/** Git blob ids at pmernyei/wiki-cs-dataset HEAD f5207315 (2022-01-03), from ../shared/data/wikics/SOURCE.md. */
const WIKICS_BLOBS = {
  'data.json': 'f1b743119df1a7a3bca449039c54034ae623a756',
  'metadata.json': 'e5057f935e3f6ec40b59e8987ed79ec6d16312cf',
} as const;

/**
 * WikiCS from its repository: data.json (required) and metadata.json (titles and class names, optional).
 * Features are used as given (row normalisation collapses accuracy on WikiCS). Offline, the flagship job goes on
 * with a synthetic WikiCS-format graph rather than stopping.
 */
export const wikicsSource: DatasetSource = {
  name: 'wikics',
  description: 'WikiCS (Mernyei & Cangea 2020): 11,701 Wikipedia articles, 10 classes, 20 splits',
  files: [
    { name: 'data.json', url: `${WIKICS_BASE_URL}/data.json`, gitBlob: WIKICS_BLOBS['data.json'] },
    {
      name: 'metadata.json',
      url: `${WIKICS_BASE_URL}/metadata.json`,
      gitBlob: WIKICS_BLOBS['metadata.json'],
      optional: true,
    },
  ],
  normalizeFeatures: false,
  process: (rawDir, o) =>
    parseInWorker({
      kind: 'wikics',
      path: join(rawDir, 'data.json'),
      options: { undirected: o.undirected, name: 'wikics', source: `${WIKICS_BASE_URL}/data.json` },
      withMetadata: true,
    }),
  offline: {
    dataFileHint:
      '--data-file PATH (data.file=PATH) to load a WikiCS-format data.json you have, e.g. one made by `gnnops data synth --out FILE`',
    syntheticFallback: true,
  },
};

export interface WikiCSOptions {
  /** Symmetrise + deduplicate links (default true). */
  undirected?: boolean;
  /** Dataset name recorded in GraphData (default 'wikics'). */
  name?: string;
  /** Where the data came from, for reports. */
  source?: string;
  /** Titles and class names (metadata.json), validated against the node and class counts. */
  metadata?: WikiCSMetadata;
}

export interface WikiCSMetadata {
  classNames?: string[];
  titles?: string[];
}

/** Key a generated file carries so it is never mistaken for the real dataset (see synth.ts). */
export const SYNTHETIC_KEY = 'gnnops_synthetic';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayField(v: Json, field: string, length?: number): Json[] {
  if (!Array.isArray(v)) dataError(field, `expected a list, got ${v === null ? 'null' : typeof v}`);
  if (length !== undefined && v.length !== length) dataError(field, `has length ${v.length}, expected ${length}`);
  return v;
}

function maskField(v: Json, field: string, n: number): Uint8Array {
  const a = arrayField(v, field, n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (x === true || x === 1) m[i] = 1;
    else if (x !== false && x !== 0) dataError(`${field}[${i}]`, `${JSON.stringify(x)} is not a boolean`);
  }
  return m;
}

/**
 * Parse data.json text. Python's json writes NaN/Infinity as bare tokens, which are not JSON: when the strict
 * parse fails on them, they are read as null so the validator can name the exact feature that holds one.
 */
export function parseWikiCSText(text: string, opts: WikiCSOptions = {}): GraphData {
  let obj: Json;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const lenient = /\b(NaN|-?Infinity)\b/.test(text)
      ? tryParse(text.replace(/-?\bInfinity\b|\bNaN\b/g, 'null'))
      : undefined;
    if (lenient === undefined) {
      dataError(opts.source ?? 'data.json', `is not valid JSON (${(e as Error).message})`);
    }
    obj = lenient;
  }
  return wikicsFromJson(obj, opts);
}

function tryParse(text: string): Json | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Validate a parsed data.json object and assemble the graph. */
export function wikicsFromJson(obj: Json, opts: WikiCSOptions = {}): GraphData {
  if (!isObject(obj)) dataError('data.json', 'the top level is not a JSON object');
  for (const k of ['features', 'labels', 'links', 'train_masks', 'val_masks', 'stopping_masks', 'test_mask']) {
    if (!(k in obj)) dataError(k, 'missing key');
  }
  const labelsIn = arrayField(obj.labels, 'labels');
  const n = labelsIn.length;
  if (n === 0) dataError('labels', 'is empty: a graph needs at least one node');

  const names = opts.metadata?.classNames;
  const labels = new Int32Array(n);
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const y = labelsIn[i];
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0) {
      dataError(`labels[${i}]`, `${JSON.stringify(y)} is not a class id (an integer ≥ 0)`);
    }
    if (names && y >= names.length) dataError(`labels[${i}]`, `${y} is out of range 0..${names.length - 1}`);
    labels[i] = y;
    if (y > maxLabel) maxLabel = y;
  }
  const numClasses = names ? names.length : maxLabel + 1;

  const featIn = arrayField(obj.features, 'features', n);
  const f0 = arrayField(featIn[0], 'features[0]');
  const numFeatures = f0.length;
  if (numFeatures === 0) dataError('features[0]', 'is empty');
  const features = new Float32Array(n * numFeatures);
  for (let i = 0; i < n; i++) {
    const row = arrayField(featIn[i], `features[${i}]`, numFeatures);
    const base = i * numFeatures;
    for (let j = 0; j < numFeatures; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        dataError(`features[${i}][${j}]`, v === null ? 'is NaN or infinite' : `${JSON.stringify(v)} is not a number`);
      }
      features[base + j] = v;
    }
  }

  const linksIn = arrayField(obj.links, 'links', n);
  let count = 0;
  for (let i = 0; i < n; i++) count += arrayField(linksIn[i], `links[${i}]`).length;
  const src = new Int32Array(count);
  const dst = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = linksIn[i] as Json[];
    for (let j = 0; j < row.length; j++) {
      const t = row[j];
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= n) {
        dataError(`links[${i}][${j}]`, `target ${JSON.stringify(t)} is outside 0..${n - 1}`);
      }
      src[k] = i;
      dst[k++] = t;
    }
  }
  const adj = buildCsr(n, src, dst, count, opts.undirected ?? true);

  const train = arrayField(obj.train_masks, 'train_masks');
  const val = arrayField(obj.val_masks, 'val_masks', train.length);
  const stop = arrayField(obj.stopping_masks, 'stopping_masks', train.length);
  if (train.length === 0) dataError('train_masks', 'holds no split');
  const splits: Split[] = train.map((_, s) => ({
    train: maskField(train[s], `train_masks[${s}]`, n),
    val: maskField(val[s], `val_masks[${s}]`, n),
    stopping: maskField(stop[s], `stopping_masks[${s}]`, n),
  }));
  // PyG reads test_mask as a flat list; accept the one-element nesting too.
  let testIn = obj.test_mask;
  if (Array.isArray(testIn) && testIn.length === 1 && Array.isArray(testIn[0])) testIn = testIn[0];
  const testMask = maskField(testIn, 'test_mask', n);

  const titles = opts.metadata?.titles;
  if (titles && titles.length !== n) dataError('metadata.nodes', `has ${titles.length} entries for ${n} nodes`);
  const synthetic = isObject(obj[SYNTHETIC_KEY]);
  return withHash({
    name: opts.name ?? 'wikics',
    numNodes: n,
    numFeatures,
    numClasses,
    features,
    labels,
    ...adj,
    splits,
    testMask,
    stoppingMask: 'stopping',
    ...(names ? { classNames: names } : {}),
    ...(titles ? { titles } : {}),
    rawEdgeEntries: count,
    ...(synthetic ? { synthetic: true } : {}),
    ...(opts.source ? { source: opts.source } : {}),
  });
}

/**
 * Read metadata.json beside a data.json, if present: `labels` {"0": name, ...} and `nodes[i].title`.
 * Returns undefined when there is no such file.
 */
export function readWikiCSMetadata(dataPath: string): WikiCSMetadata | undefined {
  const p = join(dirname(dataPath), 'metadata.json');
  if (!existsSync(p)) return undefined;
  let obj: Json;
  try {
    obj = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    dataError(p, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(obj)) dataError('metadata', 'the top level is not a JSON object');
  const out: WikiCSMetadata = {};
  if (isObject(obj.labels)) {
    const entries = Object.entries(obj.labels);
    const names: string[] = [];
    for (const [key, name] of entries) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || id >= entries.length) {
        dataError(`metadata.labels["${key}"]`, `key is not a class id in 0..${entries.length - 1}`);
      }
      if (typeof name !== 'string') dataError(`metadata.labels["${key}"]`, 'is not a string');
      names[id] = name;
    }
    out.classNames = names;
  }
  if (Array.isArray(obj.nodes)) {
    out.titles = obj.nodes.map((node, i) => {
      if (!isObject(node) || typeof node.title !== 'string') dataError(`metadata.nodes[${i}].title`, 'is not a string');
      return node.title;
    });
  }
  return out;
}

/**
 * Parse a WikiCS-format file in a worker thread (with metadata.json beside it, if any).
 * Resolves to the validated graph; rejects with a GnnopsError naming the field and index on bad data.
 */
export async function parseWikiCSFile(path: string, opts: Omit<WikiCSOptions, 'metadata'> = {}): Promise<GraphData> {
  return parseInWorker({ kind: 'wikics', path, options: { source: path, ...opts }, withMetadata: true });
}

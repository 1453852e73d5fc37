/**
 * Processed-graph cache: the typed arrays of a GraphData as one raw little-endian binary file (`arrays.bin`,
 * each array 8-byte aligned) plus `manifest.json` with the shape facts, every array's offset, length and sha256,
 * the content hash (GraphData.hash, the dataset version) and a description of the input it was built from.
 *
 * Reading verifies everything: file sizes, every array's sha256, and that the digests reproduce the content hash.
 * Each array is read into its own buffer in bounded reads (no whole-file buffer, no readFileSync size limit), outside
 * the JS heap; the CSR's into SharedArrayBuffers that the sampling threads share (see SHARED).
 * Any mismatch is a CACHE_CORRUPT error (callers rebuild from the raw data), never a silently wrong graph.
 * Writes are atomic (arrays first, manifest last), so an interrupted write reads as corrupt or stale, not as valid.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256, writeFileAtomic } from '../util/fs.js';
import type { GraphData, Split } from './graph.js';
import { bytesOf, contentHash, graphArrays } from './hash.js';

export const CACHE_FORMAT = 'gnnops-graph-cache';
export const CACHE_VERSION = 1;

type DType = 'float32' | 'int32' | 'uint8';

interface ArrayEntry {
  name: string;
  dtype: DType;
  offset: number;
  length: number;
  sha256: string;
}

/** What the cache was built from; a cache whose input differs from the current one is stale. */
export type CacheInput = Record<string, string | number | boolean>;

export interface CacheManifest {
  format: typeof CACHE_FORMAT;
  version: number;
  hash: string;
  name: string;
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  undirected: boolean;
  selfLoops: number;
  stoppingMask: 'stopping' | 'val';
  numSplits: number;
  rawEdgeEntries?: number;
  synthetic?: boolean;
  source?: string;
  classNames?: string[];
  /** sha256 of titles.json when the graph has titles. */
  titlesSha256?: string;
  /** sha256 of ids.json (the original node ids, GraphData.nodeIds) when the graph has them; in the content hash. */
  idsSha256?: string;
  arrays: ArrayEntry[];
  bytes: number;
  input: CacheInput;
  createdAt: string;
}

const MANIFEST = 'manifest.json';
const ARRAYS = 'arrays.bin';
const TITLES = 'titles.json';
const IDS = 'ids.json';

function dtypeOf(a: Float32Array | Int32Array | Uint8Array): DType {
  return a instanceof Float32Array ? 'float32' : a instanceof Int32Array ? 'int32' : 'uint8';
}

function corrupt(dir: string, what: string): never {
  throw new GnnopsError(ErrorCodes.CACHE_CORRUPT, `processed cache ${dir} is corrupt: ${what}`, { dir });
}

/** Write the graph's processed cache into dir (created if needed). */
export function writeCache(dir: string, g: GraphData, input: CacheInput): CacheManifest {
  const arrays = graphArrays(g);
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), offset, length: a.length, sha256: sha256(bytesOf(a)) });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  // Written array by array with zero padding to 8 bytes: the file is never assembled in memory.
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const bytes = bytesOf(arrays[e.name]);
    parts.push(bytes);
    const pad = Math.ceil(bytes.byteLength / 8) * 8 - bytes.byteLength;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  const digests = Object.fromEntries(entries.map((e) => [e.name, e.sha256]));
  const idsText = g.nodeIds ? JSON.stringify(g.nodeIds) : undefined;
  const idsSha256 = idsText !== undefined ? sha256(idsText) : undefined;
  const hash = contentHash(g, digests, idsSha256);
  if (hash !== g.hash) {
    throw new GnnopsError(
      ErrorCodes.INTERNAL,
      `graph ${g.name}: its hash ${g.hash} does not match its arrays (${hash})`,
    );
  }
  let titlesSha256: string | undefined;
  if (g.titles) {
    const text = JSON.stringify(g.titles);
    titlesSha256 = sha256(text);
    writeFileAtomic(join(dir, TITLES), text);
  }
  if (idsText !== undefined) writeFileAtomic(join(dir, IDS), idsText);
  const manifest: CacheManifest = {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    hash,
    name: g.name,
    numNodes: g.numNodes,
    numFeatures: g.numFeatures,
    numClasses: g.numClasses,
    undirected: g.undirected,
    selfLoops: g.selfLoops,
    stoppingMask: g.stoppingMask,
    numSplits: g.splits.length,
    ...(g.rawEdgeEntries !== undefined ? { rawEdgeEntries: g.rawEdgeEntries } : {}),
    ...(g.synthetic ? { synthetic: true } : {}),
    ...(g.source ? { source: g.source } : {}),
    ...(g.classNames ? { classNames: g.classNames } : {}),
    ...(titlesSha256 ? { titlesSha256 } : {}),
    ...(idsSha256 ? { idsSha256 } : {}),
    arrays: entries,
    bytes: offset,
    input,
    createdAt: new Date().toISOString(),
  };
  writeFileAtomic(join(dir, ARRAYS), parts);
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

export function readManifest(dir: string): CacheManifest | undefined {
  const p = join(dir, MANIFEST);
  if (!existsSync(p)) return undefined;
  let m: CacheManifest;
  try {
    m = JSON.parse(readFileSync(p, 'utf8')) as CacheManifest;
  } catch (e) {
    return corrupt(dir, `manifest.json is not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== CACHE_FORMAT || !Array.isArray(m.arrays))
    corrupt(dir, 'manifest.json is not a gnnops cache manifest');
  return m;
}

/** True when the manifest was built from the same input (every key equal). */
export function sameInput(a: CacheInput, b: CacheInput): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/**
 * Load a verified graph from dir. Returns undefined when there is no cache (or, with `input`, when it was built
 * from a different input); throws CACHE_CORRUPT when it exists but does not verify.
 */
export function readCache(dir: string, input?: CacheInput): GraphData | undefined {
  const m = readManifest(dir);
  if (!m) return undefined;
  if (m.version !== CACHE_VERSION) return undefined;
  if (input && !sameInput(m.input ?? {}, input)) return undefined;
  const binPath = join(dir, ARRAYS);
  if (!existsSync(binPath)) corrupt(dir, 'arrays.bin is missing');
  const size = statSync(binPath).size;
  if (size !== m.bytes) corrupt(dir, `arrays.bin has ${size} bytes, the manifest says ${m.bytes}`);
  const arrays: Record<string, Float32Array | Int32Array | Uint8Array> = {};
  const fd = openSync(binPath, 'r');
  try {
    for (const e of m.arrays) {
      const width = e.dtype === 'uint8' ? 1 : 4;
      const bytes = e.length * width;
      if (!Number.isInteger(e.offset) || e.offset % 8 !== 0 || e.offset + bytes > size) {
        corrupt(dir, `array ${e.name} lies outside arrays.bin`);
      }
      const buf = SHARED.has(e.name) ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
      const raw = new Uint8Array(buf);
      readRange(dir, fd, raw, e.offset);
      if (sha256(raw) !== e.sha256) corrupt(dir, `array ${e.name} fails its sha256 check`);
      arrays[e.name] = e.dtype === 'float32' ? new Float32Array(buf) : e.dtype === 'int32' ? new Int32Array(buf) : raw;
    }
  } finally {
    closeSync(fd);
  }
  const need = (name: string) => arrays[name] ?? corrupt(dir, `array ${name} is missing`);
  const splits: Split[] = [];
  for (let s = 0; s < m.numSplits; s++) {
    splits.push({
      train: need(`train.${s}`) as Uint8Array,
      val: need(`val.${s}`) as Uint8Array,
      stopping: need(`stopping.${s}`) as Uint8Array,
    });
  }
  let titles: string[] | undefined;
  if (m.titlesSha256) {
    const tp = join(dir, TITLES);
    if (!existsSync(tp)) corrupt(dir, 'titles.json is missing');
    const text = readFileSync(tp, 'utf8');
    if (sha256(text) !== m.titlesSha256) corrupt(dir, 'titles.json fails its sha256 check');
    titles = JSON.parse(text) as string[];
  }
  let nodeIds: string[] | undefined;
  if (m.idsSha256) {
    const ip = join(dir, IDS);
    if (!existsSync(ip)) corrupt(dir, 'ids.json is missing');
    const text = readFileSync(ip, 'utf8');
    if (sha256(text) !== m.idsSha256) corrupt(dir, 'ids.json fails its sha256 check');
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.length !== m.numNodes || parsed.some((x) => typeof x !== 'string')) {
      corrupt(dir, `ids.json is not ${m.numNodes} strings`);
    }
    nodeIds = parsed as string[];
  }
  const g: GraphData = {
    name: m.name,
    numNodes: m.numNodes,
    numFeatures: m.numFeatures,
    numClasses: m.numClasses,
    features: need('features') as Float32Array,
    labels: need('labels') as Int32Array,
    indptr: need('indptr') as Int32Array,
    indices: need('indices') as Int32Array,
    undirected: m.undirected,
    selfLoops: m.selfLoops,
    splits,
    testMask: need('test') as Uint8Array,
    stoppingMask: m.stoppingMask,
    hash: m.hash,
    ...(m.classNames ? { classNames: m.classNames } : {}),
    ...(titles ? { titles } : {}),
    ...(nodeIds ? { nodeIds } : {}),
    ...(m.rawEdgeEntries !== undefined ? { rawEdgeEntries: m.rawEdgeEntries } : {}),
    ...(m.synthetic ? { synthetic: true } : {}),
    ...(m.source ? { source: m.source } : {}),
  };
  // The shape facts in the manifest must agree with the arrays, and the digests must reproduce the hash.
  if (g.features.length !== g.numNodes * g.numFeatures) corrupt(dir, 'features length ≠ numNodes × numFeatures');
  if (g.labels.length !== g.numNodes || g.indptr.length !== g.numNodes + 1) corrupt(dir, 'labels/indptr lengths');
  const digests = Object.fromEntries(m.arrays.map((e) => [e.name, e.sha256]));
  if (contentHash(g, digests, m.idsSha256) !== m.hash)
    corrupt(dir, 'the array digests do not reproduce the content hash');
  return g;
}

/** Bytes read per call: bounded, so no read is near the 2 GiB a single read(2) may return. */
const READ_CHUNK = 64 << 20;

/**
 * The arrays the neighbour sampler's threads read: in SharedArrayBuffers, so every thread sees the one copy. The
 * rest (features above all) stay in ordinary ArrayBuffers: copying rows out of shared memory is several times
 * slower in V8 (TypedArray.prototype.set takes a per-element path), and only the training thread reads them.
 */
const SHARED = new Set(['indptr', 'indices']);

/** Fill `out` from the file at `position`, in bounded reads; a short file is corrupt. */
function readRange(dir: string, fd: number, out: Uint8Array, position: number): void {
  let off = 0;
  while (off < out.byteLength) {
    const n = readSync(fd, out, off, Math.min(READ_CHUNK, out.byteLength - off), position + off);
    if (n === 0) corrupt(dir, `arrays.bin ended ${out.byteLength - off} bytes early`);
    off += n;
  }
}

/** Remove a cache folder's files (before a rebuild). */
export function clearCache(dir: string): void {
  for (const f of [MANIFEST, ARRAYS, TITLES, IDS]) rmSync(join(dir, f), { force: true });
}

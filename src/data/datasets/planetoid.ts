/**
 * Planetoid citation graphs (Cora, CiteSeer, PubMed) from the raw `ind.<name>.*` files of kimiyoung/planetoid,
 * assembled as tkipf/gcn's `utils.load_data` does (Yang et al., ICML 2016; Kipf & Welling, ICLR 2017):
 *
 * - nodes 0..len(allx)-1 take the rows of allx/ally; node test.index[j] takes row j of tx/ty;
 * - CiteSeer's test ids have gaps (isolated nodes without features): the id range is extended to
 *   min..max(test.index), and the missing nodes get all-zero features and label -1;
 * - adjacency = the graph dict made undirected with duplicates merged (networkx `from_dict_of_lists`);
 *   node ids are the dict keys (PyG does the same; tkipf's order equals it because the keys ascend);
 * - the standard split: train = 0..len(y)-1 (20 per class), val = the next 500, test = sorted(test.index).
 *   Planetoid has no stopping set, so `stopping` = `val` and `stoppingMask` = 'val'.
 */

import { buildCsr } from '../../engine/index.js';
import { dataError, ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { GraphData, Split } from '../graph.js';
import { withHash } from '../hash.js';
import { asAdjacencyDict, asCsrMatrix, asMatrix, type CsrMatrix, readPickle } from '../pickle.js';

export const PlanetoidNames = ['cora', 'citeseer', 'pubmed'] as const;
export type PlanetoidName = (typeof PlanetoidNames)[number];

/** The raw parts, in the order tkipf/gcn reads them; file names are `ind.<name>.<part>`. */
export const PlanetoidParts = ['x', 'y', 'tx', 'ty', 'allx', 'ally', 'graph', 'test.index'] as const;
export type PlanetoidPart = (typeof PlanetoidParts)[number];

export function planetoidFileName(name: PlanetoidName, part: PlanetoidPart): string {
  return `ind.${name}.${part}`;
}

export interface PlanetoidOptions {
  /** Symmetrise + deduplicate (default true, as every GCN loader does). False keeps the raw dict entries. */
  undirected?: boolean;
}

/** Size of the standard validation set. */
const VAL_SIZE = 500;

function parseTestIndex(bytes: Uint8Array, field: string): Int32Array {
  const text = Buffer.from(bytes).toString('latin1');
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  lines.forEach((l, i) => {
    const s = l.trim();
    if (s === '') return;
    if (!/^\d+$/.test(s)) dataError(`${field}:${i + 1}`, `"${s.slice(0, 40)}" is not a non-negative integer`);
    out.push(Number(s));
  });
  if (out.length === 0) dataError(field, 'is empty');
  return Int32Array.from(out);
}

/** One-hot rows → class ids; an all-zero row is -1 (no label). More than one hot entry is an error. */
function oneHotToLabels(m: { rows: number; cols: number; values: Float32Array }, field: string): Int32Array {
  const out = new Int32Array(m.rows).fill(-1);
  for (let i = 0; i < m.rows; i++) {
    for (let c = 0; c < m.cols; c++) {
      const v = m.values[i * m.cols + c];
      if (v === 0) continue;
      if (v !== 1 || out[i] !== -1) dataError(`${field}[${i}]`, 'is not a one-hot row');
      out[i] = c;
    }
  }
  return out;
}

function scatterCsrRows(m: CsrMatrix, rowToNode: (r: number) => number, out: Float32Array, f: number): void {
  for (let r = 0; r < m.rows; r++) {
    const base = rowToNode(r) * f;
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[base + m.indices[k]] = m.data[k];
  }
}

/** Assemble a Planetoid graph from its eight raw files (bytes keyed by part). */
export function parsePlanetoid(
  name: PlanetoidName,
  files: Record<PlanetoidPart, Uint8Array>,
  opts: PlanetoidOptions = {},
): GraphData {
  const f = (part: PlanetoidPart) => planetoidFileName(name, part);
  const pick = (part: PlanetoidPart) => readPickle(files[part], f(part));
  const y = asMatrix(pick('y'), f('y'));
  const allx = asCsrMatrix(pick('allx'), f('allx'));
  const ally = asMatrix(pick('ally'), f('ally'));
  const tx = asCsrMatrix(pick('tx'), f('tx'));
  const ty = asMatrix(pick('ty'), f('ty'));
  const graph = asAdjacencyDict(pick('graph'), f('graph'));
  const testIndex = parseTestIndex(files['test.index'], f('test.index'));

  const numFeatures = allx.cols;
  const numClasses = ally.cols;
  if (tx.cols !== numFeatures) dataError(f('tx'), `has ${tx.cols} columns, allx has ${numFeatures}`);
  if (ty.cols !== numClasses || y.cols !== numClasses)
    dataError(f('ty'), `class count differs from ally (${numClasses})`);
  if (ally.rows !== allx.rows) dataError(f('ally'), `has ${ally.rows} rows, allx has ${allx.rows}`);
  if (tx.rows !== testIndex.length || ty.rows !== testIndex.length) {
    dataError(f('tx'), `tx/ty have ${tx.rows}/${ty.rows} rows for ${testIndex.length} test ids`);
  }
  if (y.rows + VAL_SIZE > allx.rows)
    dataError(f('y'), `${y.rows} train + ${VAL_SIZE} val rows exceed allx (${allx.rows})`);

  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  for (const t of testIndex) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  // tkipf/gcn stacks allx then tx; that places the test ids right after allx.
  if (lo !== allx.rows) dataError(f('test.index'), `smallest test id ${lo} should follow the ${allx.rows} allx rows`);
  const numNodes = hi + 1;
  const seen = new Uint8Array(numNodes);
  testIndex.forEach((t, j) => {
    if (seen[t]) dataError(`${f('test.index')}[${j}]`, `id ${t} repeats`);
    seen[t] = 1;
  });

  const features = new Float32Array(numNodes * numFeatures);
  scatterCsrRows(allx, (r) => r, features, numFeatures);
  scatterCsrRows(tx, (r) => testIndex[r], features, numFeatures);
  const labels = new Int32Array(numNodes).fill(-1);
  labels.set(oneHotToLabels(ally, f('ally')));
  const tl = oneHotToLabels(ty, f('ty'));
  testIndex.forEach((t, j) => {
    labels[t] = tl[j];
  });
  // x/y must be the first rows of allx/ally (train nodes); a mismatch means the files are not one dataset.
  const yl = oneHotToLabels(y, f('y'));
  yl.forEach((c, i) => {
    if (c !== labels[i]) dataError(`${f('y')}[${i}]`, `label ${c} differs from ally (${labels[i]})`);
  });

  let count = 0;
  for (const list of graph.values()) count += list.length;
  const src = new Int32Array(count);
  const dst = new Int32Array(count);
  let k = 0;
  for (const [u, list] of graph) {
    if (u < 0 || u >= numNodes) dataError(`${f('graph')}[${u}]`, `node id outside 0..${numNodes - 1}`);
    list.forEach((v, j) => {
      if (v < 0 || v >= numNodes) dataError(`${f('graph')}[${u}][${j}]`, `neighbour ${v} outside 0..${numNodes - 1}`);
      src[k] = u;
      dst[k++] = v;
    });
  }
  const adj = buildCsr(numNodes, src, dst, count, opts.undirected ?? true);

  const range = (a: number, b: number) => {
    const m = new Uint8Array(numNodes);
    m.fill(1, a, b);
    return m;
  };
  const testMask = new Uint8Array(numNodes);
  for (const t of testIndex) testMask[t] = 1;
  const val = range(y.rows, y.rows + VAL_SIZE);
  const split: Split = { train: range(0, y.rows), val, stopping: val };

  if (numNodes > 0x7fffffff / Math.max(numFeatures, 1)) {
    throw new GnnopsError(
      ErrorCodes.DATA_INVALID,
      `${name}: ${numNodes} × ${numFeatures} features exceed int32 indexing`,
    );
  }
  return withHash({
    name,
    numNodes,
    numFeatures,
    numClasses,
    features,
    labels,
    ...adj,
    splits: [split],
    testMask,
    stoppingMask: 'val',
  });
}

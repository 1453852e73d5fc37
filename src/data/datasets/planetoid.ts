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
import { parseInWorker } from '../parse-task.js';
import { readPickle } from '../pickle.js';
import { asAdjacencyDict, asCsrMatrix, asMatrix, type CsrMatrix } from './planetoid-pickle.js';
import type { DatasetSource } from './source.js';

export const PlanetoidNames = ['cora', 'citeseer', 'pubmed'] as const;
export type PlanetoidName = (typeof PlanetoidNames)[number];

/** The raw parts, in the order tkipf/gcn reads them; file names are `ind.<name>.<part>`. */
export const PlanetoidParts = ['x', 'y', 'tx', 'ty', 'allx', 'ally', 'graph', 'test.index'] as const;
export type PlanetoidPart = (typeof PlanetoidParts)[number];

export function planetoidFileName(name: PlanetoidName, part: PlanetoidPart): string {
  return `ind.${name}.${part}`;
}

export const PLANETOID_BASE_URL = 'https://github.com/kimiyoung/planetoid/raw/master/data';

/**
 * sha256 of the raw Planetoid files (kimiyoung/planetoid af6abf46, byte-identical in tkipf/gcn).
 * Cora: ../shared/data/cora/SHA256SUMS, checked here against the files.
 * CiteSeer and PubMed: secondary — the same values are listed by three independent public projects (a Python
 * graph library's dataset catalog pinned to commit af6abf46, a citation-data preparation script and a
 * reproduction log), whose Cora values all equal the checked ones above. Not checked here against the files.
 */
export const PLANETOID_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'ind.cora.x': '23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab',
  'ind.cora.y': '94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1',
  'ind.cora.tx': 'b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a',
  'ind.cora.ty': '41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad',
  'ind.cora.allx': '9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543',
  'ind.cora.ally': '2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71',
  'ind.cora.graph': '58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d',
  'ind.cora.test.index': '297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875',
  'ind.citeseer.x': 'd20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6',
  'ind.citeseer.y': '8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924',
  'ind.citeseer.tx': '539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21',
  'ind.citeseer.ty': '55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce',
  'ind.citeseer.allx': '2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668',
  'ind.citeseer.ally': 'f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95',
  'ind.citeseer.graph': 'd79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7',
  'ind.citeseer.test.index': '2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4',
  'ind.pubmed.x': 'fbe9cb5c47200d1b7769a26e579be3b7130b556831f9d850e77c4c74f2599b33',
  'ind.pubmed.y': 'e6c807633307a07ed659249006536a147c7999c797f11a2560752990181b41b3',
  'ind.pubmed.tx': '4eb5f5d0f30f26497eb0ac6ac9719d09c67e284f1ed0385c93f3ef27a671da3d',
  'ind.pubmed.ty': 'ee2e0d4819d9fbcc403689c3bf2e49face401b605932f093bc58ab6461130fdd',
  'ind.pubmed.allx': '508e538e2abdccdd54c4d3e9f49d638b4af7107d85845f66ddea5a5152658b7e',
  'ind.pubmed.ally': '0c37bbe3b5014ec365e9d393cf4791925e5ed94fb194305d74f064a8d7b50f0e',
  'ind.pubmed.graph': '5b89f0036ca22909471f1e6558eb42fa06e0c730a577bde5b058b40638f81dc9',
  'ind.pubmed.test.index': 'b101d421688bbaecbd82e8a18f1e282378d6830f3a37666f28ebc47f844341b5',
});

const PLANETOID_TITLES: Readonly<Record<PlanetoidName, string>> = {
  cora: 'Cora',
  citeseer: 'CiteSeer',
  pubmed: 'PubMed',
};

/** The eight raw files of a Planetoid graph, each pinned by sha256; features are row-normalised by default. */
export function planetoidSource(name: PlanetoidName): DatasetSource {
  return {
    name,
    description: `${PLANETOID_TITLES[name]} (Planetoid citation graph, the split of Yang et al. 2016)`,
    files: PlanetoidParts.map((part) => {
      const file = planetoidFileName(name, part);
      return { name: file, url: `${PLANETOID_BASE_URL}/${file}`, sha256: PLANETOID_SHA256[file] };
    }),
    normalizeFeatures: true,
    process: (rawDir, o) =>
      parseInWorker({ kind: 'planetoid', name, dir: rawDir, options: { undirected: o.undirected } }),
    offline: {
      dataFileHint: '--data-file PATH (data.file=PATH) to load a WikiCS-format file instead of this dataset',
      syntheticFallback: false,
    },
  };
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

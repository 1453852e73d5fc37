/**
 * The .npz layout of Shchur et al. (2018, arXiv:1811.05868) used for Amazon Computers/Photo and Coauthor
 * CS/Physics: the adjacency as CSR (`adj_data`, `adj_indices`, `adj_indptr`, `adj_shape`), the attributes dense
 * (`attr_matrix`) or as CSR (`attr_data`, `attr_indices`, `attr_indptr`, `attr_shape`), and `labels`.
 * The archive is binary, so it is read whole (no text is held); the arrays are checked against each other.
 * The format carries no split: the labelled nodes are split at random per class from a seed, as for CSV.
 */
import { readFileSync } from 'node:fs';
import { buildCsr } from '../../engine/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { parseNpy } from '../../util/npy.js';
import { importedGraph } from './assemble.js';
import { stratifiedSplit } from './csv.js';
import { inputError } from './lines.js';
import type { ImportOptions, ImportResult } from './types.js';
import { readZip } from './zip.js';

type Arr = ReturnType<typeof parseNpy>;

export async function importNpz(path: string, opts: ImportOptions): Promise<ImportResult> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `${path}: ${(e as Error).message}`, { file: path });
  }
  const members = readZip(bytes, path);
  const has = (key: string) => members.has(`${key}.npy`);
  const get = (key: string): Arr => {
    const m = members.get(`${key}.npy`);
    if (!m) inputError(path, undefined, undefined, `has no array ${key}`);
    return parseNpy(m, `${path}[${key}]`);
  };
  const csrOf = (prefix: 'adj' | 'attr') => {
    const shape = get(`${prefix}_shape`).data;
    if (shape.length !== 2) inputError(path, undefined, undefined, `${prefix}_shape must hold 2 numbers`);
    const indptr = get(`${prefix}_indptr`).data;
    const indices = get(`${prefix}_indices`).data;
    const data = get(`${prefix}_data`).data;
    const [rows, cols] = [shape[0], shape[1]];
    if (indptr.length !== rows + 1) {
      inputError(
        path,
        undefined,
        undefined,
        `${prefix}_indptr has ${indptr.length} entries, ${prefix}_shape says ${rows} rows (+1)`,
      );
    }
    const nnz = indptr[rows];
    if (indices.length !== nnz || data.length !== nnz) {
      inputError(
        path,
        undefined,
        undefined,
        `${prefix}_indices/${prefix}_data lengths disagree with ${prefix}_indptr (${nnz})`,
      );
    }
    for (let i = 0; i < rows; i++) {
      if (indptr[i + 1] < indptr[i]) inputError(path, undefined, undefined, `${prefix}_indptr decreases at row ${i}`);
    }
    for (let k = 0; k < nnz; k++) {
      if (!(indices[k] >= 0 && indices[k] < cols)) {
        inputError(
          path,
          undefined,
          undefined,
          `${prefix}_indices[${k}] = ${indices[k]} is out of range 0..${cols - 1}`,
        );
      }
    }
    return { rows, cols, indptr, indices, data };
  };

  const adj = csrOf('adj');
  const n = adj.rows;
  if (adj.cols !== n) inputError(path, undefined, undefined, `adj_shape (${n}, ${adj.cols}) is not square`);
  const src = new Int32Array(adj.indices.length);
  const dst = new Int32Array(adj.indices.length);
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let k = adj.indptr[i]; k < adj.indptr[i + 1]; k++) {
      if (adj.data[k] === 0) continue;
      src[m] = i;
      dst[m++] = adj.indices[k];
    }
  }
  const csr = buildCsr(n, src, dst, m, opts.undirected);

  let width: number;
  let features: Float32Array;
  if (has('attr_matrix')) {
    const a = get('attr_matrix');
    if (a.shape.length !== 2 || a.shape[0] !== n) {
      inputError(
        path,
        undefined,
        undefined,
        `attr_matrix has shape (${a.shape.join(', ')}), expected (${n}, features)`,
      );
    }
    width = a.shape[1];
    features = Float32Array.from(a.data);
  } else {
    const attr = csrOf('attr');
    if (attr.rows !== n)
      inputError(path, undefined, undefined, `attr_shape has ${attr.rows} rows, the graph ${n} nodes`);
    width = attr.cols;
    features = new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      for (let k = attr.indptr[i]; k < attr.indptr[i + 1]; k++) features[i * width + attr.indices[k]] = attr.data[k];
    }
  }
  for (let k = 0; k < features.length; k++) {
    if (!Number.isFinite(features[k])) {
      inputError(
        path,
        undefined,
        undefined,
        `attribute of node ${Math.floor(k / width)}, column ${k % width} is not a finite number`,
      );
    }
  }

  const y = get('labels').data;
  if (y.length !== n) inputError(path, undefined, undefined, `labels has ${y.length} entries, the graph ${n} nodes`);
  const labels = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0)
      inputError(path, undefined, undefined, `labels[${i}] = ${c} is not a class index`);
    if (opts.classes !== undefined && c >= opts.classes) {
      inputError(path, undefined, undefined, `labels[${i}] = ${c} is outside the ${opts.classes} classes`);
    }
    labels[i] = c;
    if (c > max) max = c;
  }
  const numClasses = opts.classes ?? max + 1;
  if (numClasses < 2) inputError(path, undefined, undefined, `${numClasses} class(es): at least 2 are needed`);

  const masks = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
  stratifiedSplit(labels, numClasses, opts.ratios ?? [0.6, 0.2, 0.2], opts.seed ?? 0, masks);
  for (const [k, mask] of masks.entries()) {
    if (!mask.some((b) => b === 1)) {
      inputError(
        path,
        undefined,
        undefined,
        `the random split leaves ${['train', 'val', 'test'][k]} empty: too few nodes`,
      );
    }
  }
  const graph = importedGraph({
    name: opts.name,
    numFeatures: width,
    numClasses,
    features,
    labels,
    csr,
    train: masks[0],
    val: masks[1],
    test: masks[2],
    rawEdgeEntries: m,
    source: path,
  });
  return { graph, files: [path], split: 'random' };
}

/**
 * A graph from two delimited text files (CSV or TSV, plain or gzip):
 * - the node table, with a header: an `id` column, a `label` column (integers or class names; empty = unlabelled),
 *   an optional `split` column (train, val or valid, test, or empty) and any other columns as numeric features;
 *   or, with no feature columns, the features in a .npy file whose row i belongs to the table's i-th node;
 * - the edge list: `src,dst` per row (further columns are ignored), with or without a header row; the first row is
 *   taken as a header when neither of its values is a node id of the table.
 * Node ids are any strings; they are numbered in the order of the node table and the map is kept.
 * The split is the split column, or three files of node ids (train, valid, test), or else the labelled nodes are
 * split at random, stratified by class, from a seed.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCsr } from '../../engine/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { type NpyHeader, readNpyFloat32, readNpyHeader } from '../../util/npy.js';
import { mulberry32 } from '../../util/random.js';
import { importedGraph } from './assemble.js';
import {
  delimiterOf,
  firstExisting,
  floatBuffer,
  inputError,
  intBuffer,
  numberAt,
  readLines,
  splitRow,
} from './lines.js';
import type { ImportOptions, ImportResult, SplitFiles } from './types.js';

const SPLIT_VALUES: Readonly<Record<string, number>> = { train: 1, val: 2, valid: 2, validation: 2, test: 3 };

function findIn(dir: string, stem: string): string {
  const candidates = ['csv', 'tsv', 'csv.gz', 'tsv.gz'].map((e) => join(dir, `${stem}.${e}`));
  const f = firstExisting(candidates);
  if (!f) {
    throw new GnnopsError(
      ErrorCodes.DATA_NOT_FOUND,
      `${dir} holds no ${stem}.csv (nor .tsv, .csv.gz, .tsv.gz); or give the file with --${stem}`,
      { file: join(dir, `${stem}.csv`) },
    );
  }
  return f;
}

/**
 * The files of a CSV import: --edges/--nodes, else edges.* and nodes.* inside PATH; the feature file is --features,
 * else features.npy inside PATH when it is there.
 */
export function csvFiles(path: string | undefined, opts: Pick<ImportOptions, 'edges' | 'nodes' | 'features'>) {
  const dir = path !== undefined && existsSync(path) && statSync(path).isDirectory() ? path : undefined;
  if (path !== undefined && dir === undefined) {
    throw new GnnopsError(
      ErrorCodes.DATA_NOT_FOUND,
      `${path} is not a folder (csv import: PATH holds edges.csv and nodes.csv)`,
      {
        file: path,
      },
    );
  }
  const need = (stem: 'edges' | 'nodes', given: string | undefined): string => {
    if (given !== undefined) {
      if (!existsSync(given))
        throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `--${stem}: ${given} does not exist`, { file: given });
      return given;
    }
    if (dir === undefined) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `csv import: give PATH (a folder) or --${stem} FILE`, {
        field: stem,
      });
    }
    return findIn(dir, stem);
  };
  let features: string | undefined;
  if (opts.features !== undefined) {
    if (!existsSync(opts.features)) {
      throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `--features: ${opts.features} does not exist`, {
        file: opts.features,
      });
    }
    features = opts.features;
  } else if (dir !== undefined && existsSync(join(dir, 'features.npy'))) features = join(dir, 'features.npy');
  return { edges: need('edges', opts.edges), nodes: need('nodes', opts.nodes), features };
}

export async function importCsv(path: string | undefined, opts: ImportOptions): Promise<ImportResult> {
  const files = csvFiles(path, opts);
  // The feature file's header is checked before the node table is read, so that a wrong file fails at once.
  const npyHeader = files.features !== undefined ? readNpyHeader(files.features) : undefined;
  const ids = new Map<string, number>();
  const idList: string[] = [];
  const idLine: number[] = [];
  const labelText: string[] = [];
  const splitOf: number[] = [];
  const features = floatBuffer();
  let delim: string | undefined;
  let header: string[] | undefined;
  let idCol = -1;
  let labelCol = -1;
  let splitCol = -1;
  let featCols: number[] = [];
  for await (const { text, line } of readLines(files.nodes)) {
    delim ??= delimiterOf(text);
    const row = splitRow(text, delim);
    if (!header) {
      header = row.map((h) => h.toLowerCase());
      idCol = header.indexOf('id');
      labelCol = header.indexOf('label');
      splitCol = header.indexOf('split');
      if (idCol < 0)
        inputError(files.nodes, line, undefined, `the header needs an "id" column (found: ${row.join(', ')})`);
      if (labelCol < 0)
        inputError(files.nodes, line, undefined, `the header needs a "label" column (found: ${row.join(', ')})`);
      if (splitCol >= 0 && opts.splitFiles) {
        inputError(
          files.nodes,
          line,
          splitCol + 1,
          'the node table has a split column and split files are given: give the split one way',
        );
      }
      featCols = header.map((_, j) => j).filter((j) => j !== idCol && j !== labelCol && j !== splitCol);
      if (featCols.length === 0 && files.features === undefined) {
        inputError(
          files.nodes,
          line,
          undefined,
          'the header names no feature column, and no .npy feature file is given (--features, or features.npy in the folder)',
        );
      }
      if (featCols.length > 0 && files.features !== undefined) {
        inputError(
          files.nodes,
          line,
          featCols[0] + 1,
          `the header names ${featCols.length} feature column(s) (${featCols.map((j) => row[j]).join(', ')}) and features also come from ${files.features}: give the features one way`,
        );
      }
      continue;
    }
    if (row.length !== header.length) {
      inputError(
        files.nodes,
        line,
        Math.min(row.length, header.length) + 1,
        `${row.length} columns, the header has ${header.length}`,
      );
    }
    const id = row[idCol];
    if (id.length === 0) inputError(files.nodes, line, idCol + 1, 'empty node id');
    const seen = ids.get(id);
    if (seen !== undefined)
      inputError(files.nodes, line, idCol + 1, `node id "${id}" already appears on line ${idLine[seen]}`);
    ids.set(id, idList.length);
    idList.push(id);
    idLine.push(line);
    labelText.push(row[labelCol]);
    for (const j of featCols) features.push(numberAt(row[j], files.nodes, line, j + 1));
    if (splitCol >= 0) {
      const s = row[splitCol].toLowerCase();
      const p = s.length === 0 ? 0 : SPLIT_VALUES[s];
      if (p === undefined)
        inputError(files.nodes, line, splitCol + 1, `split "${row[splitCol]}" is not train, val or test`);
      if (p !== 0 && row[labelCol].length === 0)
        inputError(files.nodes, line, labelCol + 1, `node "${id}" is in a split but has no label`);
      splitOf.push(p);
    }
  }
  const n = idList.length;
  if (!header || n === 0) inputError(files.nodes, undefined, undefined, 'has no node rows');
  let numFeatures = featCols.length;
  let featureData: Float32Array;
  if (files.features !== undefined && npyHeader) {
    featureData = readNpyFeatures(files.features, npyHeader, n, files.nodes, opts.progress);
    numFeatures = npyHeader.shape[1];
  } else featureData = features.view().slice();

  // Labels: integers index the classes directly; anything else is a class name, numbered in sorted order.
  const labels = new Int32Array(n).fill(-1);
  const named = labelText.some((t) => t.length > 0 && !/^\d+$/.test(t));
  let classNames: string[] | undefined;
  let numClasses: number;
  if (named) {
    classNames = [...new Set(labelText.filter((t) => t.length > 0))].sort();
    if (opts.classes !== undefined && classNames.length > opts.classes) {
      inputError(
        files.nodes,
        undefined,
        labelCol + 1,
        `${classNames.length} class names, more than --classes ${opts.classes}`,
      );
    }
    const index = new Map(classNames.map((c, i) => [c, i]));
    for (let i = 0; i < n; i++) if (labelText[i].length > 0) labels[i] = index.get(labelText[i]) ?? -1;
    numClasses = classNames.length;
  } else {
    let max = -1;
    for (let i = 0; i < n; i++) {
      if (labelText[i].length === 0) continue;
      const c = Number(labelText[i]);
      if (opts.classes !== undefined && c >= opts.classes) {
        inputError(
          files.nodes,
          idLine[i],
          labelCol + 1,
          `label ${c} is outside the ${opts.classes} classes (0..${opts.classes - 1})`,
        );
      }
      labels[i] = c;
      if (c > max) max = c;
    }
    numClasses = opts.classes ?? max + 1;
  }
  if (numClasses < 2)
    inputError(files.nodes, undefined, labelCol + 1, `${numClasses} class(es): at least 2 are needed`);

  // Edges. The first row is a header when neither value is a node id.
  const src = intBuffer();
  const dst = intBuffer();
  let edgeDelim: string | undefined;
  let width = -1;
  let first = true;
  for await (const { text, line } of readLines(files.edges)) {
    edgeDelim ??= delimiterOf(text);
    const row = splitRow(text, edgeDelim);
    if (first) {
      first = false;
      if (row.length < 2)
        inputError(files.edges, line, row.length + 1, `2 columns (src, dst) expected, found ${row.length}`);
      width = row.length;
      if (!ids.has(row[0]) && !ids.has(row[1])) continue;
    }
    if (row.length !== width)
      inputError(
        files.edges,
        line,
        Math.min(row.length, width) + 1,
        `${row.length} columns, the first row has ${width}`,
      );
    for (let j = 0; j < 2; j++) {
      const v = ids.get(row[j]);
      if (v === undefined)
        inputError(files.edges, line, j + 1, `node id "${row[j]}" is not in the node table ${files.nodes}`);
      (j === 0 ? src : dst).push(v);
    }
  }
  if (src.length === 0) inputError(files.edges, undefined, undefined, 'has no edges');
  const csr = buildCsr(n, src.data, dst.data, src.length, opts.undirected);

  const train = new Uint8Array(n);
  const val = new Uint8Array(n);
  const test = new Uint8Array(n);
  const masks = [train, val, test];
  let split: string;
  if (splitCol >= 0) {
    split = 'column';
    for (let i = 0; i < n; i++) if (splitOf[i] > 0) masks[splitOf[i] - 1][i] = 1;
  } else if (opts.splitFiles) {
    split = 'files';
    await readSplitFiles(opts.splitFiles, ids, labels, masks);
  } else {
    split = 'random';
    stratifiedSplit(labels, numClasses, opts.ratios ?? [0.6, 0.2, 0.2], opts.seed ?? 0, masks);
  }
  for (const [k, mask] of masks.entries()) {
    if (!mask.some((b) => b === 1)) {
      const what = ['train', 'val', 'test'][k];
      inputError(
        files.nodes,
        undefined,
        splitCol >= 0 ? splitCol + 1 : undefined,
        splitCol >= 0
          ? `no node is in ${what} (split column ${splitCol + 1})`
          : `the random split leaves ${what} empty: too few labelled nodes`,
      );
    }
  }

  const graph = importedGraph({
    name: opts.name,
    numFeatures,
    numClasses,
    features: featureData,
    labels,
    csr,
    train,
    val,
    test,
    rawEdgeEntries: src.length,
    source: files.nodes,
    nodeIds: idList,
    ...(classNames ? { classNames } : {}),
  });
  const read = [files.nodes, files.edges, ...(files.features ? [files.features] : [])];
  if (opts.splitFiles) read.push(opts.splitFiles.train, opts.splitFiles.valid, opts.splitFiles.test);
  return { graph, files: read, split };
}

/** The node features from a .npy file: a 2-D array with one row per node of the table, read in chunks. */
function readNpyFeatures(
  file: string,
  header: NpyHeader,
  numNodes: number,
  nodesFile: string,
  progress: ImportOptions['progress'],
): Float32Array {
  const shape = `(${header.shape.join(', ')}${header.shape.length === 1 ? ',' : ''})`;
  if (header.shape.length !== 2) {
    inputError(file, undefined, undefined, `shape ${shape} is not 2-D: features must be (nodes, features)`);
  }
  if (header.shape[0] !== numNodes) {
    inputError(
      file,
      undefined,
      undefined,
      `shape ${shape} has ${header.shape[0]} rows, the node table ${nodesFile} has ${numNodes} nodes: one row per node, in table order`,
    );
  }
  if (header.shape[1] === 0) inputError(file, undefined, undefined, `shape ${shape} has no feature columns`);
  return readNpyFloat32(file, progress ? { progress: (d, t) => progress('features', d, t) } : {}).data;
}

const SPLIT_PARTS = ['train', 'valid', 'test'] as const;
/** Header lines a split file may start with (skipped unless they are node ids). */
const SPLIT_HEADERS = new Set(['id', 'node', 'node_id', 'nodeid']);

/**
 * The split from three files of node ids, one per line (plain or gzip), mapped through the node table's ids. A node
 * may be in one part only, each part must hold a node, and every node must be a labelled node of the table.
 */
async function readSplitFiles(
  files: SplitFiles,
  ids: ReadonlyMap<string, number>,
  labels: Int32Array,
  masks: Uint8Array[],
): Promise<void> {
  // Where each node was first placed: part index and line, for the error that names both places.
  const placedPart = new Int8Array(labels.length).fill(-1);
  const placedLine = new Int32Array(labels.length);
  for (const [k, part] of SPLIT_PARTS.entries()) {
    const file = files[part];
    let count = 0;
    let first = true;
    for await (const { text, line } of readLines(file)) {
      const id = text.trim();
      const v = ids.get(id);
      if (first) {
        first = false;
        if (v === undefined && SPLIT_HEADERS.has(id.toLowerCase())) continue;
      }
      if (v === undefined) inputError(file, line, 1, `node id "${id}" is not in the node table`);
      if (placedPart[v] >= 0) {
        const where = `${files[SPLIT_PARTS[placedPart[v]]]}:${placedLine[v]}`;
        inputError(
          file,
          line,
          1,
          placedPart[v] === k
            ? `node "${id}" is listed twice in ${part} (first at ${where})`
            : `node "${id}" is in ${part} and in ${SPLIT_PARTS[placedPart[v]]} (${where}): a node belongs to one part`,
        );
      }
      if (labels[v] < 0) inputError(file, line, 1, `node "${id}" is in ${part} but has no label in the node table`);
      placedPart[v] = k;
      placedLine[v] = line;
      masks[k][v] = 1;
      count++;
    }
    if (count === 0) inputError(file, undefined, undefined, `the ${part} split is empty: it lists no node id`);
  }
}

/**
 * Per class, shuffle the labelled nodes (Fisher-Yates from the seed) and cut them by the shares, so every class is
 * represented in each part in proportion. The test part takes the remainder.
 */
export function stratifiedSplit(
  labels: Int32Array,
  numClasses: number,
  ratios: readonly [number, number, number],
  seed: number,
  [train, val, test]: Uint8Array[],
): void {
  const rand = mulberry32(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) byClass[labels[i]].push(i);
  const total = ratios[0] + ratios[1] + ratios[2];
  for (const nodes of byClass) {
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    }
    const nTrain = Math.round((nodes.length * ratios[0]) / total);
    const nVal = Math.round((nodes.length * ratios[1]) / total);
    nodes.forEach((v, k) => {
      (k < nTrain ? train : k < nTrain + nVal ? val : test)[v] = 1;
    });
  }
}

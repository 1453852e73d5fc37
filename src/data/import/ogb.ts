/**
 * The OGB node-property-prediction layout (as unpacked from an ogbn-* zip):
 * `raw/edge.csv[.gz]` (src,dst per row, no header), `raw/node-feat.csv[.gz]` (one row of floats per node),
 * `raw/node-label.csv[.gz]` (one integer per node; `nan` or empty = unlabelled), `raw/num-node-list.csv[.gz]`
 * and `raw/num-edge-list.csv[.gz]` (one count each), and `split/<name>/{train,valid,test}.csv[.gz]` (node ids).
 * OGB stores each edge once; the graph is made undirected unless asked otherwise, as OGB's loaders do for
 * the citation and co-purchase graphs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCsr } from '../../engine/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { importedGraph } from './assemble.js';
import { delimiterOf, firstExisting, indexAt, inputError, intBuffer, numberAt, readLines, splitRow } from './lines.js';
import type { ImportOptions, ImportResult } from './types.js';

function required(dir: string, stem: string): string {
  const candidates = [join(dir, `${stem}.csv.gz`), join(dir, `${stem}.csv`)];
  const f = firstExisting(candidates);
  if (!f) {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `OGB layout: neither ${candidates.join(' nor ')} exists`, {
      file: candidates[0],
    });
  }
  return f;
}

async function readCount(file: string): Promise<number> {
  let count: number | undefined;
  for await (const { text, line } of readLines(file)) {
    if (count !== undefined) inputError(file, line, 1, 'one count expected (a single graph), found a second row');
    const row = splitRow(text, ',');
    if (row.length !== 1) inputError(file, line, 2, `1 column expected, found ${row.length}`);
    count = indexAt(row[0], file, line, 1);
  }
  if (count === undefined) inputError(file, undefined, undefined, 'is empty: one count expected');
  return count;
}

/** The split folder to use: the one asked for, or the only one there is. */
export function ogbSplitDir(root: string, wanted?: string): { name: string; dir: string } {
  const base = join(root, 'split');
  const names = existsSync(base)
    ? readdirSync(base)
        .filter((n) => statSync(join(base, n)).isDirectory())
        .sort()
    : [];
  if (names.length === 0) {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `OGB layout: ${base} holds no split folder`, { file: base });
  }
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `--split: "${wanted}" is not a split folder of ${base} (there: ${names.join(', ')})`,
        { field: 'split', value: wanted },
      );
    }
    return { name: wanted, dir: join(base, wanted) };
  }
  if (names.length > 1) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${base} holds several splits (${names.join(', ')}): pick one with --split`,
      { field: 'split', choices: names },
    );
  }
  return { name: names[0], dir: join(base, names[0]) };
}

export async function importOgb(root: string, opts: ImportOptions): Promise<ImportResult> {
  const raw = join(root, 'raw');
  const files = {
    edges: required(raw, 'edge'),
    feat: required(raw, 'node-feat'),
    label: required(raw, 'node-label'),
    numNodes: required(raw, 'num-node-list'),
    numEdges: required(raw, 'num-edge-list'),
  };
  const split = ogbSplitDir(root, opts.split);
  const partFiles = {
    train: required(split.dir, 'train'),
    valid: required(split.dir, 'valid'),
    test: required(split.dir, 'test'),
  };
  const n = await readCount(files.numNodes);
  const m = await readCount(files.numEdges);
  opts.progress?.('features', 0, n);

  // Features: the width comes from the first row; the array is allocated once from num-node-list.
  let width = -1;
  let features = new Float32Array(0);
  let rows = 0;
  for await (const { text, line } of readLines(files.feat)) {
    const row = splitRow(text, delimiterOf(text));
    if (width < 0) {
      width = row.length;
      features = new Float32Array(n * width);
    } else if (row.length !== width) {
      inputError(
        files.feat,
        line,
        Math.min(row.length, width) + 1,
        `${row.length} columns, the first row has ${width}`,
      );
    }
    if (rows >= n) inputError(files.feat, line, 1, `more rows than the ${n} nodes of ${files.numNodes}`);
    const at = rows * width;
    for (let j = 0; j < width; j++) features[at + j] = numberAt(row[j], files.feat, line, j + 1);
    rows++;
    if ((rows & 0xffff) === 0) opts.progress?.('features', rows, n);
  }
  if (rows !== n) inputError(files.feat, undefined, undefined, `${rows} rows, but ${files.numNodes} says ${n} nodes`);

  // Labels: one integer per node; OGB writes nan for nodes without one.
  const labels = new Int32Array(n).fill(-1);
  rows = 0;
  let maxLabel = -1;
  for await (const { text, line } of readLines(files.label)) {
    const row = splitRow(text, delimiterOf(text));
    if (row.length !== 1) inputError(files.label, line, 2, `1 label per row expected, found ${row.length} columns`);
    if (rows >= n) inputError(files.label, line, 1, `more rows than the ${n} nodes of ${files.numNodes}`);
    const f = row[0];
    if (f.length > 0 && f.toLowerCase() !== 'nan') {
      const c = indexAt(f, files.label, line, 1);
      if (opts.classes !== undefined && c >= opts.classes) {
        inputError(files.label, line, 1, `label ${c} is outside the ${opts.classes} classes (0..${opts.classes - 1})`);
      }
      labels[rows] = c;
      if (c > maxLabel) maxLabel = c;
    }
    rows++;
  }
  if (rows !== n) inputError(files.label, undefined, undefined, `${rows} rows, but ${files.numNodes} says ${n} nodes`);
  const numClasses = opts.classes ?? maxLabel + 1;
  if (numClasses < 2) inputError(files.label, undefined, undefined, `${numClasses} class(es): at least 2 are needed`);

  // Edges: validated against the node count as they stream in.
  const src = intBuffer(m);
  const dst = intBuffer(m);
  opts.progress?.('edges', 0, m);
  for await (const { text, line } of readLines(files.edges)) {
    const row = splitRow(text, delimiterOf(text));
    if (row.length !== 2)
      inputError(files.edges, line, Math.min(row.length, 2) + 1, `2 columns expected, found ${row.length}`);
    for (let j = 0; j < 2; j++) {
      const v = indexAt(row[j], files.edges, line, j + 1);
      if (v >= n) inputError(files.edges, line, j + 1, `node id ${v} is out of range 0..${n - 1}`);
      (j === 0 ? src : dst).push(v);
    }
    if ((src.length & 0xfffff) === 0) opts.progress?.('edges', src.length, m);
  }
  if (src.length !== m) {
    inputError(files.edges, undefined, undefined, `${src.length} edges, but ${files.numEdges} says ${m}`);
  }
  const csr = buildCsr(n, src.data, dst.data, src.length, opts.undirected);

  // Splits: every node in at most one part, every part non-empty, every member labelled.
  const part = new Uint8Array(n); // 0 none, 1 train, 2 valid, 3 test
  const partNames = ['', 'train', 'valid', 'test'] as const;
  const masks = { train: new Uint8Array(n), valid: new Uint8Array(n), test: new Uint8Array(n) };
  for (const [k, key] of (['train', 'valid', 'test'] as const).entries()) {
    const file = partFiles[key];
    let count = 0;
    for await (const { text, line } of readLines(file)) {
      const row = splitRow(text, delimiterOf(text));
      if (row.length !== 1) inputError(file, line, 2, `1 node id per row expected, found ${row.length} columns`);
      const v = indexAt(row[0], file, line, 1);
      if (v >= n) inputError(file, line, 1, `node id ${v} is out of range 0..${n - 1}`);
      if (part[v] !== 0)
        inputError(file, line, 1, `node ${v} is already in ${partNames[part[v]]} of split ${split.name}`);
      if (labels[v] < 0) inputError(file, line, 1, `node ${v} has no label in ${files.label}`);
      part[v] = k + 1;
      masks[key][v] = 1;
      count++;
    }
    if (count === 0) inputError(file, undefined, undefined, `the ${key} part of split ${split.name} is empty`);
  }

  const graph = importedGraph({
    name: opts.name,
    numFeatures: width,
    numClasses,
    features,
    labels,
    csr,
    train: masks.train,
    val: masks.valid,
    test: masks.test,
    rawEdgeEntries: m,
    source: root,
  });
  return { graph, files: [...Object.values(files), ...Object.values(partFiles)], split: split.name };
}

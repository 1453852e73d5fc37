/**
 * Windows of rows from files, for `gnnops drift report --current FILE` and `drift profile --data-file FILE`:
 * - `.npy`: a 2-D float32/float64/int32/int64 array (C order, little-endian): features only;
 * - `.json`: an array of rows `[[...], ...]`, or `{features: [[...]] , predictions?, degrees?, subgraphSizes?}`;
 * - `.jsonl`: one request per line, `{features: [...] | [[...]], predictions?|prediction?, degrees?|degree?,
 *   subgraphSize?}`; a request with a matrix of features contributes one row per node.
 * Every error names the file, the line or index, and the field.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { parseNpy } from '../util/npy.js';
import type { CurrentWindow } from './drift-report.js';

function fail(file: string, msg: string, details: Record<string, unknown> = {}): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${file}: ${msg}`, { file, ...details });
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null);
}

function toNum(v: number | null): number {
  return v === null ? Number.NaN : v;
}

/** Accumulates rows of a fixed width. */
class RowSink {
  cols = -1;
  private chunks: number[] = [];
  rows = 0;
  constructor(private readonly file: string) {}
  push(row: (number | null)[], where: string): void {
    if (this.cols < 0) this.cols = row.length;
    if (row.length !== this.cols) fail(this.file, `${where}: row has ${row.length} values, expected ${this.cols}`);
    for (const v of row) this.chunks.push(toNum(v));
    this.rows++;
  }
  features(): Float32Array {
    return Float32Array.from(this.chunks);
  }
}

function numbers(file: string, v: unknown, where: string): number[] {
  if (v === undefined) return [];
  if (typeof v === 'number') return [v];
  if (!isNumberArray(v)) fail(file, `${where} must be a number or an array of numbers`);
  return v.map(toNum);
}

function pushFeatures(file: string, sink: RowSink, v: unknown, where: string): void {
  if (!Array.isArray(v)) fail(file, `${where}.features must be an array`);
  if (v.length > 0 && Array.isArray(v[0])) {
    v.forEach((row, i) => {
      if (!isNumberArray(row)) fail(file, `${where}.features[${i}] must be an array of numbers`);
      sink.push(row, `${where}.features[${i}]`);
    });
  } else if (isNumberArray(v)) sink.push(v, `${where}.features`);
  else fail(file, `${where}.features must be numbers or rows of numbers`);
}

/** Read a current window (or any rows of features) from a .npy, .json or .jsonl file. */
export function readWindowFile(file: string): CurrentWindow {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `${file}: cannot be read`, { file });
  }
  if (file.endsWith('.npy')) {
    const a = parseNpy(buf, file);
    if (a.shape.length !== 2) fail(file, `expected a 2-D array (rows × features), got shape (${a.shape.join(', ')})`);
    return { features: Float32Array.from(a.data), rows: a.shape[0], cols: a.shape[1] };
  }
  const sink = new RowSink(file);
  const predictions: number[] = [];
  const degrees: number[] = [];
  const subgraphSizes: number[] = [];
  const take = (o: Record<string, unknown>, where: string) => {
    if (o.features !== undefined) pushFeatures(file, sink, o.features, where);
    predictions.push(...numbers(file, o.predictions ?? o.prediction, `${where}.predictions`));
    degrees.push(...numbers(file, o.degrees ?? o.degree, `${where}.degrees`));
    const sg = o.subgraphSizes ?? o.subgraphSize ?? o.subgraph_size;
    subgraphSizes.push(...numbers(file, sg, `${where}.subgraphSizes`));
  };
  const text = buf.toString('utf8');
  if (file.endsWith('.jsonl') || file.endsWith('.ndjson')) {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        fail(file, `line ${i + 1}: not JSON (${(e as Error).message})`, { line: i + 1 });
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(file, `line ${i + 1}: expected an object`);
      take(o as Record<string, unknown>, `line ${i + 1}`);
    });
  } else {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      fail(file, `not JSON (${(e as Error).message})`);
    }
    if (Array.isArray(o)) pushFeatures(file, sink, o, '(root)');
    else if (typeof o === 'object' && o !== null) take(o as Record<string, unknown>, '(root)');
    else fail(file, 'expected an array of rows or an object with "features"');
  }
  if (sink.rows === 0) fail(file, 'no feature rows');
  const w: CurrentWindow = { features: sink.features(), rows: sink.rows, cols: sink.cols };
  if (predictions.length > 0) w.predictions = predictions;
  if (degrees.length > 0) w.degrees = degrees;
  if (subgraphSizes.length > 0) w.subgraphSizes = subgraphSizes;
  return w;
}

/** Read a vector of class ids from .npy or .json (an array of integers). */
export function readIntVector(file: string): number[] {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `${file}: cannot be read`, { file });
  }
  if (file.endsWith('.npy')) return Array.from(parseNpy(buf, file).data);
  let o: unknown;
  try {
    o = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    fail(file, `not JSON (${(e as Error).message})`);
  }
  if (!isNumberArray(o)) fail(file, 'expected a JSON array of integers');
  return o.map(toNum);
}

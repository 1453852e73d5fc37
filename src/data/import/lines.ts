/**
 * Line-by-line reading of the text files an import consumes (plain or gzip, detected from the magic bytes), so
 * that no file's whole text is ever held in memory, and the errors that name the file, the line and the column.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';

/** A DATA_INVALID error that points at a place in an input file (line and column are 1-based). */
export function inputError(file: string, line: number | undefined, column: number | undefined, message: string): never {
  const at = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${at}: ${message}`, {
    file,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  });
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The first of the candidate paths that exists (a name and its `.gz` twin, say), or undefined. */
export function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/**
 * The lines of a file with their 1-based numbers, without the line break (a trailing `\r` is dropped too).
 * Blank lines are skipped: a trailing newline is common and means nothing.
 */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  if (!existsSync(path)) throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `${path} does not exist`, { file: path });
  const raw = createReadStream(path);
  const stream = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  // readline rejects the iteration when its input fails; the gunzip stream's own errors (a truncated or corrupt
  // file) are forwarded to it so that they surface the same way.
  if (stream !== raw) raw.on('error', (e) => stream.destroy(e));
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const l of rl) {
      line++;
      let text = l.endsWith('\r') ? l.slice(0, -1) : l;
      // Spreadsheet exports often start with a byte-order mark, which would otherwise stick to the first header.
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim().length === 0) continue;
      yield { text, line };
    }
  } catch (e) {
    inputError(path, line + 1, undefined, `cannot be read: ${(e as Error).message}`);
  } finally {
    rl.close();
    stream.destroy();
    raw.destroy();
  }
}

/** The field separator of a delimited text: a tab when the sample line has one, else a comma. */
export function delimiterOf(sample: string): '\t' | ',' {
  return sample.includes('\t') ? '\t' : ',';
}

/** Split one row; fields are trimmed. Quoting is not interpreted: ids and labels must not contain the delimiter. */
export function splitRow(text: string, delimiter: string): string[] {
  return text.split(delimiter).map((f) => f.trim());
}

/** A finite number from a field, or an error naming the place. */
export function numberAt(field: string, file: string, line: number, column: number): number {
  const v = field.length === 0 ? Number.NaN : Number(field);
  if (!Number.isFinite(v)) inputError(file, line, column, `"${field}" is not a number`);
  return v;
}

/** A non-negative integer from a field, or an error naming the place. */
export function indexAt(field: string, file: string, line: number, column: number): number {
  const v = field.length === 0 ? Number.NaN : Number(field);
  if (!Number.isInteger(v) || v < 0) inputError(file, line, column, `"${field}" is not a non-negative integer`);
  return v;
}

/** A growable typed buffer for edge lists and feature rows whose length is not known until the end of a file. */
export class Growable<T extends Int32Array | Float32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const intBuffer = (capacity = 1024) =>
  new Growable(new Int32Array(Math.max(16, capacity)), (n) => new Int32Array(n));
export const floatBuffer = (capacity = 1024) =>
  new Growable(new Float32Array(Math.max(16, capacity)), (n) => new Float32Array(n));

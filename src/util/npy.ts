/**
 * NumPy's .npy format (format versions 1.0, 2.0 and 3.0): a 6-byte magic, the version, the header length (2 bytes
 * in 1.0, 4 in 2.0/3.0), a header that is a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…)}`
 * (latin-1 in 1.0/2.0, UTF-8 in 3.0), then the raw array. Read whole by drift windows and by the npz import
 * (`parseNpy`), and in chunks by the CSV import's feature file (`readNpyFloat32`), which never holds more than one
 * chunk of the file besides the array it fills.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCodes, GnnopsError } from './errors.js';

function fail(file: string, msg: string): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${file}: ${msg}`, { file });
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Element types read: little-endian floats and integers (one-byte types carry `|`), and booleans. */
export type NpyKind = 'f' | 'i' | 'u' | 'b';

export interface NpyHeader {
  /** The dtype as written, e.g. `<f4`. */
  descr: string;
  kind: NpyKind;
  /** Bytes per element. */
  itemSize: number;
  shape: number[];
  /** Elements: the product of the shape (1 for a 0-d array). */
  count: number;
  /** Byte offset of the array data in the file. */
  dataOffset: number;
}

const SUPPORTED: Readonly<Record<string, [NpyKind, number]>> = {
  '<f4': ['f', 4],
  '<f8': ['f', 8],
  '|i1': ['i', 1],
  '<i2': ['i', 2],
  '<i4': ['i', 4],
  '<i8': ['i', 8],
  '|u1': ['u', 1],
  '<u2': ['u', 2],
  '<u4': ['u', 4],
  '<u8': ['u', 8],
  '|b1': ['b', 1],
};
const SUPPORTED_TEXT = 'float32, float64, or a little-endian signed/unsigned integer or bool type';

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/**
 * A parser for the Python literals a .npy header may hold: dicts, tuples and lists, quoted strings, integers,
 * True/False/None. The header is data, not code, so nothing else is accepted.
 */
function parsePyLiteral(text: string, file: string): PyValue {
  let i = 0;
  const bad = (what: string): never =>
    fail(file, `.npy header: ${what} at character ${i + 1} of ${JSON.stringify(text)}`);
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const k = value();
        if (typeof k !== 'string') bad('a dict key that is not a string');
        ws();
        if (text[i] !== ':') bad('":" expected');
        i++;
        out[k as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') bad('"," or "}" expected');
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return out;
        }
        out.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad(`"," or "${close}" expected`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad('an unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) bad('an escaped string');
      i = end + 1;
      return s;
    }
    const word = /^(True|False|None|-?\d+)/.exec(text.slice(i))?.[0];
    if (word === undefined) return bad('an unexpected character');
    i += word.length;
    // Python 2 era writers suffix long integers with L.
    if (text[i] === 'L') i++;
    return word === 'True' ? true : word === 'False' ? false : word === 'None' ? null : Number(word);
  };
  const v = value();
  ws();
  if (i !== text.length) bad('trailing text');
  return v;
}

/**
 * Parse the preamble and header of a .npy file from its first bytes. Returns the number of bytes needed when `head`
 * is too short to hold the whole header (read that many and call again).
 */
export function parseNpyHeader(head: Uint8Array, file: string, fileBytes?: number): NpyHeader | { need: number } {
  if (fileBytes !== undefined && fileBytes < 10) fail(file, `not a .npy file (${fileBytes} bytes, too short)`);
  if (head.length < 10) return { need: 12 };
  if (MAGIC.some((b, k) => head[k] !== b)) fail(file, 'not a .npy file (bad magic: it must start with \\x93NUMPY)');
  const major = head[6];
  const minor = head[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    fail(file, `unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  }
  const start = major === 1 ? 10 : 12;
  if (head.length < start) return { need: start };
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (head.length < start + headerLen) {
    if (fileBytes !== undefined && fileBytes < start + headerLen) {
      fail(file, `truncated: the header is ${headerLen} bytes, the file has ${fileBytes}`);
    }
    return { need: start + headerLen };
  }
  const text = Buffer.from(head.subarray(start, start + headerLen))
    .toString(major === 3 ? 'utf8' : 'latin1')
    .trim();
  const dict = parsePyLiteral(text, file);
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) fail(file, '.npy header is not a dict');
  const d = dict as Record<string, PyValue>;
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!(k in d)) fail(file, `.npy header has no '${k}' key`);
  }
  const descr = d.descr;
  if (typeof descr !== 'string') fail(file, 'structured (record) dtypes are not supported: save a plain numeric array');
  if (typeof d.fortran_order !== 'boolean') fail(file, `.npy header: fortran_order is not True or False`);
  if (d.fortran_order) {
    fail(file, 'Fortran-order (column-major) arrays are not supported; save with np.ascontiguousarray(a)');
  }
  const shape = d.shape;
  if (!Array.isArray(shape) || shape.some((s) => typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)) {
    fail(file, `.npy header: shape ${JSON.stringify(shape)} is not a tuple of non-negative integers`);
  }
  const dims = shape as number[];
  const native = SUPPORTED[descr === '<b1' ? '|b1' : descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr];
  if (!native) {
    const hint = descr.startsWith('>')
      ? ` (big-endian; save with a.astype('${descr.replace('>', '<')}'))`
      : descr.startsWith('<f2')
        ? " (float16; save with a.astype('<f4'))"
        : '';
    fail(file, `unsupported dtype ${descr}${hint}: use ${SUPPORTED_TEXT}`);
  }
  return {
    descr,
    kind: native[0],
    itemSize: native[1],
    shape: dims,
    count: dims.reduce((a, b) => a * b, 1),
    dataOffset: start + headerLen,
  };
}

/** A view of `bytes` (aligned to the item size) as numbers of the header's dtype. */
function typedView(h: NpyHeader, bytes: Uint8Array): ArrayLike<number> | BigInt64Array | BigUint64Array {
  const { buffer, byteOffset, byteLength } = bytes;
  const n = byteLength / h.itemSize;
  switch (`${h.kind}${h.itemSize}`) {
    case 'f4':
      return new Float32Array(buffer, byteOffset, n);
    case 'f8':
      return new Float64Array(buffer, byteOffset, n);
    case 'i1':
      return new Int8Array(buffer, byteOffset, n);
    case 'i2':
      return new Int16Array(buffer, byteOffset, n);
    case 'i4':
      return new Int32Array(buffer, byteOffset, n);
    case 'i8':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'u2':
      return new Uint16Array(buffer, byteOffset, n);
    case 'u4':
      return new Uint32Array(buffer, byteOffset, n);
    case 'u8':
      return new BigUint64Array(buffer, byteOffset, n);
    default:
      // u1 and b1: one byte each, booleans as 0/1.
      return new Uint8Array(buffer, byteOffset, n);
  }
}

/** A parsed .npy array: shape and values (int64 read as float64 within ±2^53). */
export interface NpyArray {
  shape: number[];
  data: Float64Array | Float32Array | Int32Array;
}

/** Parse a whole .npy file held in memory (an npz member, a drift window). */
export function parseNpy(buf: Uint8Array, file = 'array.npy'): NpyArray {
  const h = parseNpyHeader(buf, file, buf.length);
  if ('need' in h) return fail(file, `truncated: the header needs ${h.need} bytes, the file has ${buf.length}`);
  const bytes = buf.length - h.dataOffset;
  if (bytes < h.count * h.itemSize) fail(file, `truncated: ${bytes} data bytes for ${h.count} × ${h.itemSize}`);
  // Copy into a fresh, aligned buffer: the data offset need not be a multiple of the item size in a zip member.
  const own = new Uint8Array(h.count * h.itemSize);
  own.set(buf.subarray(h.dataOffset, h.dataOffset + own.length));
  const view = typedView(h, own);
  if (view instanceof Float32Array || view instanceof Float64Array || view instanceof Int32Array) {
    return { shape: h.shape, data: view };
  }
  if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
    return { shape: h.shape, data: Float64Array.from(view, (v) => Number(v)) };
  }
  return { shape: h.shape, data: Float64Array.from(view) };
}

/** Read just the header of a .npy file on disk. */
export function readNpyHeader(path: string): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    return headerOf(fd, path);
  } finally {
    closeSync(fd);
  }
}

function headerOf(fd: number, path: string): NpyHeader {
  const size = fstatSync(fd).size;
  let want = 12;
  for (;;) {
    const head = Buffer.alloc(Math.min(want, size));
    readSync(fd, head, 0, head.length, 0);
    const h = parseNpyHeader(head, path, size);
    if (!('need' in h)) {
      const bytes = size - h.dataOffset;
      const expected = h.count * h.itemSize;
      if (bytes < expected) {
        fail(
          path,
          `truncated: shape (${h.shape.join(', ')}) of ${h.descr} needs ${expected} data bytes, the file has ${bytes}`,
        );
      }
      if (bytes > expected) {
        fail(
          path,
          `${bytes - expected} bytes follow the array of shape (${h.shape.join(', ')}): not a single .npy array`,
        );
      }
      return h;
    }
    if (h.need <= want) fail(path, 'unreadable .npy header');
    want = h.need;
  }
}

/** Bytes read per chunk by readNpyFloat32. */
const CHUNK_BYTES = 1 << 22;

/**
 * Read a .npy array from disk into a Float32Array, chunk by chunk (`chunkBytes`, default 4 MiB), converting from
 * its dtype. Every value must be finite in float32 (the error names the row and column of a 2-D array).
 */
export function readNpyFloat32(
  path: string,
  opts: { progress?: (done: number, total: number) => void; chunkBytes?: number } = {},
): { header: NpyHeader; data: Float32Array } {
  const fd = openSync(path, 'r');
  try {
    const h = headerOf(fd, path);
    const out = new Float32Array(h.count);
    const cols = h.shape.length >= 2 ? h.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const perChunk = Math.max(1, Math.floor((opts.chunkBytes ?? CHUNK_BYTES) / h.itemSize));
    const chunk = new Uint8Array(perChunk * h.itemSize);
    let done = 0;
    while (done < h.count) {
      const take = Math.min(perChunk, h.count - done);
      const bytes = chunk.subarray(0, take * h.itemSize);
      let got = 0;
      while (got < bytes.length) {
        const r = readSync(fd, bytes, got, bytes.length - got, h.dataOffset + done * h.itemSize + got);
        if (r === 0) fail(path, `truncated while reading element ${done + got / h.itemSize}`);
        got += r;
      }
      const v = typedView(h, bytes);
      const dst = out.subarray(done, done + take);
      if (v instanceof BigInt64Array || v instanceof BigUint64Array)
        for (let k = 0; k < take; k++) dst[k] = Number(v[k]);
      else dst.set(v);
      for (let k = 0; k < take; k++) {
        if (!Number.isFinite(dst[k])) {
          const e = done + k;
          const at = h.shape.length >= 2 ? `row ${Math.floor(e / cols)}, column ${e % cols}` : `element ${e}`;
          const raw = v instanceof BigInt64Array || v instanceof BigUint64Array ? v[k] : (v as ArrayLike<number>)[k];
          fail(
            path,
            `${at} (0-based) is ${raw}${Number.isFinite(Number(raw)) ? ', beyond float32' : ''}: features must be finite`,
          );
        }
      }
      done += take;
      opts.progress?.(done, h.count);
    }
    return { header: h, data: out };
  } finally {
    closeSync(fd);
  }
}

/**
 * A minimal Python pickle reader (protocols 0–3 binary opcodes) for the object kinds the Planetoid files hold:
 * scipy `csr_matrix` (GLOBAL + NEWOBJ + BUILD with a state dict), numpy `ndarray` (`_reconstruct` + `dtype` + BUILD
 * with raw little-endian bytes as a Python-2 str), `collections.defaultdict(list)`, and plain tuples, lists, dicts,
 * ints, floats, bools, None and strings. Nothing is executed: GLOBAL only resolves names from a fixed allow-list,
 * and anything else is a GnnopsError (PICKLE_UNSUPPORTED) naming the opcode or global and its byte offset.
 *
 * Python-2 `str` values (BINSTRING) come back as `Uint8Array` views of the input (no copy), because numpy stores
 * its raw array bytes in them; `pyText()` decodes one as latin-1 where a name is wanted. What the objects mean
 * (a feature matrix, an adjacency dict) is Planetoid's business: datasets/planetoid-pickle.ts.
 */
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** A Python global resolved from the allow-list. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A dict (or a defaultdict, when `defaultFactory` is set). Keys are ints or text. */
export class PyDict {
  readonly map = new Map<number | string, PyValue>();
  constructor(readonly defaultFactory?: string) {}
  get(key: string): PyValue | undefined {
    return this.map.get(key);
  }
}

/** numpy dtype: `descr` like 'i4'/'f8'; `byteOrder` '<', '>', '|' or '='. */
export class PyDType {
  byteOrder = '=';
  constructor(readonly descr: string) {}
}

/** An ndarray: shape, dtype and its raw bytes (C order once built). */
export class NdArray {
  shape: number[] = [];
  dtype: PyDType | null = null;
  data: Uint8Array = new Uint8Array(0);
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** An instance made by NEWOBJ (e.g. csr_matrix), with the state BUILD gave it. */
export class PyInstance {
  state: PyValue = null;
  constructor(readonly cls: PyGlobal) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | PyDType
  | NdArray
  | PyInstance;

/** Globals the reader will resolve (Python 2 and 3 spellings). Nothing outside this list is ever "called". */
const ALLOWED = new Set([
  'scipy.sparse.csr.csr_matrix',
  'scipy.sparse._csr.csr_matrix',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.ndarray',
  'numpy.dtype',
  'collections.defaultdict',
  '__builtin__.list',
  'builtins.list',
]);

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

function unsupported(what: string, offset: number): never {
  throw new GnnopsError(ErrorCodes.PICKLE_UNSUPPORTED, `pickle: unsupported ${what} at byte offset ${offset}`, {
    offset,
  });
}

function malformed(what: string, offset: number): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `pickle: malformed input at byte offset ${offset}: ${what}`, {
    field: 'pickle',
    offset,
  });
}

/** Decode a Python-2 str (bytes) as latin-1, or pass text through. */
export function pyText(v: PyValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
  return null;
}

function dictKey(v: PyValue, offset: number): number | string {
  if (typeof v === 'number') return v;
  const t = pyText(v);
  if (t !== null) return t;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return unsupported(`dict key of type ${typeName(v)}`, offset);
}

/** The Python type name of a value, for error messages. */
export function typeName(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'str';
  if (typeof v === 'object') return v.constructor.name;
  return typeof v;
}

/** Parse one pickle. `source` names the file in error messages. */
export function readPickle(bytes: Uint8Array, source?: string): PyValue {
  if (source === undefined) return parse(bytes);
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof GnnopsError) {
      throw new GnnopsError(e.code, `${source}: ${e.message}`, { ...e.details, source });
    }
    throw e;
  }
}

function parse(bytes: Uint8Array): PyValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opAt = 0;

  const need = (n: number) => {
    if (pos + n > bytes.length) malformed(`truncated (needs ${n} more bytes, has ${bytes.length - pos})`, opAt);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++];
  };
  const u16 = () => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const take = (n: number) => {
    need(n);
    const v = bytes.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) malformed('unterminated text argument', opAt);
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + pos, end - pos).toString('latin1');
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) malformed('stack underflow', opAt);
    if (v === MARK) malformed('unexpected MARK', opAt);
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) malformed('stack underflow', opAt);
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) malformed('no MARK on the stack', opAt);
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const setItems = (target: PyValue, kv: PyValue[]) => {
    if (!(target instanceof PyDict)) unsupported(`SETITEM on ${typeName(target)}`, opAt);
    if (kv.length % 2 !== 0) malformed('odd number of items for SETITEMS', opAt);
    for (let i = 0; i < kv.length; i += 2) target.map.set(dictKey(kv[i], opAt), kv[i + 1]);
  };
  const append = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) unsupported(`APPEND on ${typeName(target)}`, opAt);
    for (const it of items) target.push(it);
  };
  const memoGet = (k: number) => {
    const v = memo.get(k);
    if (v === undefined) malformed(`memo key ${k} was never stored`, opAt);
    return v;
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.length) malformed('ended without STOP', opAt);
    const op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 3) unsupported('pickle protocol > 3', opAt);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x49: {
        // INT (text): also encodes True/False as 01/00 in protocol 0
        const s = line().trim();
        stack.push(s === '01' ? true : s === '00' ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          unsupported(`integer ${v} beyond 2^53`, opAt);
        }
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x54: // BINSTRING
        stack.push(take(i32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(take(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x58: // BINUNICODE
        stack.push(Buffer.from(take(u32())).toString('utf8'));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        if (!ALLOWED.has(`${module}.${name}`)) unsupported(`global ${module}.${name}`, opAt);
        stack.push(new PyGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE: callable(*args)
        const args = pop();
        const fn = pop();
        stack.push(reduce(fn, args, opAt));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        pop();
        const cls = pop();
        if (!(cls instanceof PyGlobal)) unsupported(`NEWOBJ on ${typeName(cls)}`, opAt);
        stack.push(cls.name === 'ndarray' ? new NdArray() : new PyInstance(cls));
        break;
      }
      case 0x62: {
        // BUILD: obj.__setstate__(state)
        const state = pop();
        build(top(), state, opAt);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT (text)
        memo.set(Number.parseInt(line(), 10), top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x67: // GET (text)
        stack.push(memoGet(Number.parseInt(line(), 10)));
        break;
      default:
        unsupported(`opcode 0x${op.toString(16).padStart(2, '0')}`, opAt);
    }
  }
}

function reduce(fn: PyValue, args: PyValue, offset: number): PyValue {
  if (!(fn instanceof PyGlobal)) return unsupported(`REDUCE on ${typeName(fn)}`, offset);
  if (!(args instanceof PyTuple)) return malformed('REDUCE arguments are not a tuple', offset);
  const a = args.items;
  switch (fn.name) {
    case '_reconstruct':
      // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills in.
      return new NdArray();
    case 'dtype': {
      const descr = pyText(a[0]);
      if (descr === null) return malformed('dtype without a type string', offset);
      return new PyDType(descr);
    }
    case 'defaultdict': {
      const factory = a[0];
      return new PyDict(factory instanceof PyGlobal ? factory.name : 'None');
    }
    case 'list':
      return a.length === 0 ? [] : Array.isArray(a[0]) ? [...a[0]] : unsupported('list() of a non-list', offset);
    default:
      return unsupported(`call of ${fn.qualified}`, offset);
  }
}

function build(obj: PyValue, state: PyValue, offset: number): void {
  if (obj instanceof NdArray) {
    // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))
    if (!(state instanceof PyTuple) || state.items.length < 5) malformed('ndarray state is not a 5-tuple', offset);
    const [, shape, dtype, fortran, raw] = state.items;
    if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number')) {
      malformed('ndarray shape is not a tuple of ints', offset);
    }
    if (!(dtype instanceof PyDType)) malformed('ndarray dtype missing', offset);
    if (!(raw instanceof Uint8Array)) unsupported(`ndarray data of type ${typeName(raw)} (object arrays)`, offset);
    obj.shape = shape.items as number[];
    obj.dtype = dtype;
    obj.data = raw;
    if (fortran === true && obj.shape.length > 1) obj.data = fortranToC(obj, offset);
    const expected = obj.size * itemSize(dtype, offset);
    if (raw.byteLength !== expected) {
      malformed(
        `ndarray of shape (${obj.shape.join(', ')}) holds ${raw.byteLength} bytes, expected ${expected}`,
        offset,
      );
    }
    return;
  }
  if (obj instanceof PyDType) {
    // dtype.__setstate__((version, byteorder, ...))
    if (state instanceof PyTuple) obj.byteOrder = pyText(state.items[1]) ?? '=';
    return;
  }
  if (obj instanceof PyInstance) {
    obj.state = state;
    return;
  }
  unsupported(`BUILD on ${typeName(obj)}`, offset);
}

/** Bytes per element of a numeric dtype descr ('i4' → 4, 'f8' → 8, 'b1' → 1). */
function itemSize(dt: PyDType, offset: number): number {
  const m = /^([biuf])(\d+)$/.exec(dt.descr);
  if (!m) return unsupported(`numpy dtype '${dt.descr}'`, offset);
  return Number(m[2]);
}

function fortranToC(a: NdArray, offset: number): Uint8Array {
  if (a.shape.length !== 2) return unsupported('Fortran-ordered array with more than 2 dimensions', offset);
  const [r, c] = a.shape;
  const s = itemSize(a.dtype!, offset);
  const out = new Uint8Array(a.data.byteLength);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) out.set(a.data.subarray((j * r + i) * s, (j * r + i + 1) * s), (i * c + j) * s);
  return out;
}

/** Read element k of a numeric ndarray as a JS number, whatever its dtype and byte order. */
function reader(a: NdArray, field: string): (k: number) => number {
  const dt = a.dtype;
  if (!dt) return dataFail(field, 'ndarray has no dtype');
  const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const le = dt.byteOrder !== '>';
  switch (dt.descr) {
    case 'f4':
      return (k) => dv.getFloat32(k * 4, le);
    case 'f8':
      return (k) => dv.getFloat64(k * 8, le);
    case 'i4':
      return (k) => dv.getInt32(k * 4, le);
    case 'u4':
      return (k) => dv.getUint32(k * 4, le);
    case 'i8':
      return (k) => Number(dv.getBigInt64(k * 8, le));
    case 'i2':
      return (k) => dv.getInt16(k * 2, le);
    case 'u1':
    case 'b1':
      return (k) => dv.getUint8(k);
    case 'i1':
      return (k) => dv.getInt8(k);
    default:
      return dataFail(field, `unsupported dtype '${dt.descr}'`);
  }
}

/** A DATA_INVALID error naming the field of a pickled object. */
export function dataFail(field: string, message: string): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${field}: ${message}`, { field });
}

/** The ndarray as float32 values (any numeric dtype). */
export function ndarrayToFloat32(a: NdArray, field: string): Float32Array {
  const get = reader(a, field);
  const out = new Float32Array(a.size);
  for (let k = 0; k < out.length; k++) out[k] = get(k);
  return out;
}

/** The ndarray as int32 values; a value outside int32 is an error naming the field and index. */
export function ndarrayToInt32(a: NdArray, field: string): Int32Array {
  const get = reader(a, field);
  const out = new Int32Array(a.size);
  for (let k = 0; k < out.length; k++) {
    const v = get(k);
    if (!Number.isInteger(v) || v > 0x7fffffff || v < -0x80000000) {
      dataFail(`${field}[${k}]`, `${v} is not an int32`);
    }
    out[k] = v;
  }
  return out;
}

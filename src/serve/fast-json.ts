/**
 * A JSON parser for request bodies that gives exactly what `JSON.parse` gives, 2–3× faster on the bodies this
 * server lives on (thousands of short decimals: a 20 × 300 `/predict` body is 57 KB, and `JSON.parse` of it was
 * ~40% of the event loop's busy time under load). It works on the raw bytes, so the body is never decoded to a
 * string, and reads a number's digits into an integer mantissa and a power of ten: when the mantissa is below 2^53
 * and the power at most 22, both are exact doubles and one IEEE division or multiplication rounds correctly (Clinger's
 * fast path), which is the double `JSON.parse` returns.
 *
 * It covers the common subset only and returns `undefined` ("not handled") for anything else, so the caller falls
 * back to `JSON.parse` and its error messages: invalid JSON, numbers outside the fast path (more than 15–16
 * significant digits, as `JSON.stringify` writes a float32 widened to double, or a power of ten beyond ±22), strings
 * with escapes or non-ASCII bytes, a `__proto__` key, nesting deeper than 64, a byte-order mark. At most the work
 * up to the first such token is wasted. `undefined` is never a JSON value, so it cannot be confused with
 * a result.
 */
import { WasmDecimals } from './fast-json-wasm.js';

/** Exact powers of ten as doubles (10^22 is the largest exactly representable one). */
const P10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const MAX_EXACT = 2 ** 53 - 1;
const MAX_DEPTH = 64;

/** Thrown (never escapes this module) when the input leaves the handled subset. */
const BAIL = Symbol('bail');

const EMPTY = Buffer.alloc(0);
/** The input and the cursor (module state: one parse at a time, synchronously). */
let b: Buffer = EMPTY;
let i = 0;
/** Numbers of the current run, before they become an array (grown by doubling). */
let scratch = new Float64Array(1024);

/** The wasm number loop, created on first use; null when build/kernels.wasm is missing. */
let wasm: WasmDecimals | null | undefined;
/** The instance the current parse uses, if any (bodies of a few KB and up: below that the copy is not worth it). */
let active: WasmDecimals | null = null;
const WASM_MIN_BYTES = 4096;

function wasmDecimals(): WasmDecimals | null {
  if (wasm === undefined) {
    try {
      wasm = new WasmDecimals();
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/**
 * The parsed value, or undefined when `bytes` is not valid JSON or not in the handled subset. Runs of numbers are
 * read by the wasm kernel when it is built (`opts.wasm` false forces the plain-TS loop, its reference twin).
 */
export function parseJsonFast(bytes: Buffer, opts: { wasm?: boolean } = {}): unknown {
  b = bytes;
  i = 0;
  active = opts.wasm !== false && bytes.length >= WASM_MIN_BYTES ? wasmDecimals() : null;
  active?.load(bytes);
  try {
    skipWs();
    const v = value(0);
    skipWs();
    return i === b.length ? v : undefined;
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  } finally {
    b = EMPTY; // do not keep the last request body alive
  }
}

function skipWs(): void {
  let c = b[i];
  while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++i];
}

/** Also false for undefined (a read past the end). */
function isDigit(c: number): boolean {
  return (c ^ 48) < 10;
}

function value(depth: number): unknown {
  const c = b[i];
  if (c === 45 || isDigit(c)) {
    numbers(true);
    return scratch[0];
  }
  if (c === 34) return string();
  if (c === 91) return array(depth + 1);
  if (c === 123) return object(depth + 1);
  if (c === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
    i += 4;
    return true;
  }
  if (c === 102 && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
    i += 5;
    return false;
  }
  if (c === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
    i += 4;
    return null;
  }
  throw BAIL;
}

function array(depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw BAIL;
  i++;
  skipWs();
  if (b[i] === 93) {
    i++;
    return [];
  }
  let out: unknown[] | undefined;
  for (;;) {
    const c = b[i];
    if (c === 45 || isDigit(c)) {
      const run = active ? wasmRun(active) : numbers(false);
      if (out === undefined) out = run;
      else for (const v of run) out.push(v);
      if (closed) return out;
      continue; // i is at the next element, which is not a number
    }
    out ??= [];
    out.push(value(depth));
    skipWs();
    const d = b[i++];
    if (d === 93) return out;
    if (d !== 44) throw BAIL;
    skipWs();
  }
}

/** numbers(false) on the wasm kernel. */
function wasmRun(w: WasmDecimals): number[] {
  const r = w.run(i);
  if (r === undefined) throw BAIL;
  i = r.end;
  closed = r.closed;
  return r.values;
}

/** Set by numbers(): whether the run ended the array. */
let closed = false;
const NO_RUN: number[] = [];

/**
 * A run of numbers in an array, the hot loop (a feature matrix is all this), with the cursor in a local so it stays
 * in a register. `closed` tells whether it consumed the closing bracket or stopped (i at the start of the next element)
 * because that element is not a number. The run comes back as its own array, allocated here: V8 specialises arrays by
 * allocation site, and one site shared with arrays of objects would box every number. With `scalar` it reads one
 * number into scratch[0] and stops after it.
 */
function numbers(scalar: boolean): number[] {
  const buf = b;
  let f = scratch;
  let k = 0;
  let j = i;
  let c = buf[j];
  for (;;) {
    // one number, by the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    let sign = 1;
    if (c === 45) {
      sign = -1;
      c = buf[++j];
    }
    let m = c ^ 48; // the digit's value when c is a digit; ≥ 10 for any other byte and for undefined (past the end)
    if (m >= 10) throw BAIL;
    c = buf[++j];
    if (m === 0) {
      if ((c ^ 48) < 10) throw BAIL; // leading zero
    } else {
      while ((c ^ 48) < 10) {
        m = m * 10 + (c - 48);
        c = buf[++j];
      }
    }
    let e = 0;
    if (c === 46) {
      const dot = ++j;
      c = buf[j];
      while ((c ^ 48) < 10) {
        m = m * 10 + (c - 48);
        c = buf[++j];
      }
      e = dot - j;
      if (e === 0) throw BAIL; // no digit after the point
    }
    if ((c | 32) === 101) {
      c = buf[++j];
      let es = 1;
      if (c === 43 || c === 45) {
        if (c === 45) es = -1;
        c = buf[++j];
      }
      if ((c ^ 48) >= 10) throw BAIL;
      let x = 0;
      while ((c ^ 48) < 10) {
        if (x < 1000) x = x * 10 + (c - 48); // large enough to fail the range check below
        c = buf[++j];
      }
      e += es * x;
    }
    // m is exact while it fits in 53 bits (the accumulation is monotone, so m > MAX_EXACT catches overflow); past
    // that, or past 10^±22, one operation no longer rounds correctly: leave the body to JSON.parse
    if (m > MAX_EXACT || e < -22 || e > 22) throw BAIL;
    if (k === f.length) {
      scratch = new Float64Array(2 * k);
      scratch.set(f);
      f = scratch;
    }
    f[k++] = sign * (e < 0 ? m / P10[-e] : e > 0 ? m * P10[e] : m);
    if (scalar) {
      i = j;
      return NO_RUN;
    }
    while (c === 32 || c === 10 || c === 13 || c === 9) c = buf[++j];
    if (c === 93) {
      i = j + 1;
      closed = true;
      return toArray(f, k);
    }
    if (c !== 44) throw BAIL;
    c = buf[++j];
    while (c === 32 || c === 10 || c === 13 || c === 9) c = buf[++j];
    if (!(c === 45 || (c ^ 48) < 10)) {
      i = j;
      closed = false;
      return toArray(f, k);
    }
  }
}

function object(depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw BAIL;
  i++;
  skipWs();
  const out: Record<string, unknown> = {};
  if (b[i] === 125) {
    i++;
    return out;
  }
  for (;;) {
    if (b[i] !== 34) throw BAIL;
    const key = string();
    // a plain assignment would set the prototype; JSON.parse makes an own property (and the caller rejects it)
    if (key === '__proto__') throw BAIL;
    skipWs();
    if (b[i++] !== 58) throw BAIL;
    skipWs();
    out[key] = value(depth);
    skipWs();
    const d = b[i++];
    if (d === 125) return out;
    if (d !== 44) throw BAIL;
    skipWs();
  }
}

/** A string of printable ASCII without escapes (the bytes are then the characters). */
function string(): string {
  const start = ++i;
  let c = b[i];
  while (c !== 34) {
    if (c === 92 || c < 32 || c > 126 || c === undefined) throw BAIL;
    c = b[++i];
  }
  i++;
  return b.toString('latin1', start, i - 1);
}

function toArray(f: Float64Array, k: number): number[] {
  const out = new Array<number>(k);
  for (let t = 0; t < k; t++) out[t] = f[t];
  return out;
}

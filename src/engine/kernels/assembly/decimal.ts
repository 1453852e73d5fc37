// Decimal parsing for the server's request bodies: a run of JSON numbers, read from bytes into float64. The plain-TS
// twin (and the definition of the result) is `numbers()` in src/serve/fast-json.ts; the tests compare the two.

// @ts-ignore: decorator
@lazy const P10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const MAX_EXACT: f64 = 9007199254740991;

@inline function isDigit(c: u32): bool {
  return c - 48 < 10;
}

@inline function isWs(c: u32): bool {
  return c == 32 || c == 10 || c == 13 || c == 9;
}

/**
 * Parses numbers separated by commas from `src` (a run inside a JSON array) into float64s at `out`, at most `maxOut`.
 * The bytes must be followed by a byte that is none of digit, sign, point, exponent, comma, bracket or whitespace (the
 * caller appends a 0), so no bounds checks are needed. Each number follows the JSON grammar and is read as an integer
 * mantissa and a power of ten, exact when the mantissa is below 2^53 and the power within ±22 (Clinger's fast path).
 * Returns the count and writes to `state`: u32 the position after the run, u32 1 when the run ended with `]`, 0 when
 * it stopped before a non-number element. Returns -1 when the input leaves that subset (the caller falls back) and
 * -2 when more than maxOut numbers follow.
 */
export function parseDecimalRun(src: usize, out: usize, maxOut: i32, state: usize): i32 {
  let j = src;
  let k: i32 = 0;
  let c = <u32>load<u8>(j);
  while (true) {
    let sign: f64 = 1;
    if (c == 45) {
      sign = -1;
      c = <u32>load<u8>(++j);
    }
    if (!isDigit(c)) return -1;
    let m = <f64>(c - 48);
    c = <u32>load<u8>(++j);
    if (m == 0) {
      if (isDigit(c)) return -1; // leading zero
    } else {
      while (isDigit(c)) {
        m = m * 10 + <f64>(c - 48);
        c = <u32>load<u8>(++j);
      }
    }
    let e: i32 = 0;
    if (c == 46) {
      const dot = ++j;
      c = <u32>load<u8>(j);
      while (isDigit(c)) {
        m = m * 10 + <f64>(c - 48);
        c = <u32>load<u8>(++j);
      }
      e = <i32>(dot - j);
      if (e == 0) return -1;
    }
    if ((c | 32) == 101) {
      c = <u32>load<u8>(++j);
      let es: i32 = 1;
      if (c == 43 || c == 45) {
        if (c == 45) es = -1;
        c = <u32>load<u8>(++j);
      }
      if (!isDigit(c)) return -1;
      let x: i32 = 0;
      while (isDigit(c)) {
        if (x < 1000) x = x * 10 + <i32>(c - 48);
        c = <u32>load<u8>(++j);
      }
      e += es * x;
    }
    if (m > MAX_EXACT || e < -22 || e > 22) return -1;
    if (k >= maxOut) return -2;
    const v = e < 0 ? m / unchecked(P10[-e]) : e > 0 ? m * unchecked(P10[e]) : m;
    store<f64>(out + (<usize>k << 3), sign * v);
    k++;
    while (isWs(c)) c = <u32>load<u8>(++j);
    if (c == 93) {
      store<u32>(state, <u32>(j + 1));
      store<u32>(state, 1, 4);
      return k;
    }
    if (c != 44) return -1;
    c = <u32>load<u8>(++j);
    while (isWs(c)) c = <u32>load<u8>(++j);
    if (!(c == 45 || isDigit(c))) {
      store<u32>(state, <u32>j);
      store<u32>(state, 0, 4);
      return k;
    }
  }
  return -1;
}

/**
 * LSD radix sort of float32 values (3 passes of 11/11/10 bits over an order-preserving uint32 key), for the
 * per-column sorts that dominate a drift report: about 5× faster than Float32Array.prototype.sort on 5,000 values.
 * Key: negative floats have all bits flipped, non-negative ones only the sign bit, so that unsigned key order is
 * numeric order (−0 sorts just before +0; NaN must be removed by the caller).
 */

const B0 = 11;
const B1 = 11;
const M0 = (1 << B0) - 1;
const M1 = (1 << B1) - 1;
const M2 = (1 << 10) - 1;

function toKey(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

function fromKey(key: number): number {
  return (key & 0x80000000 ? key & 0x7fffffff : ~key) >>> 0;
}

/** Reusable buffers, so that sorting 300 columns allocates once. */
export class RadixSorter {
  private keys = new Uint32Array(0);
  private tmp = new Uint32Array(0);
  private readonly c0 = new Uint32Array(M0 + 1);
  private readonly c1 = new Uint32Array(M1 + 1);
  private readonly c2 = new Uint32Array(M2 + 1);

  private ensure(n: number): void {
    if (this.keys.length < n) {
      this.keys = new Uint32Array(n);
      this.tmp = new Uint32Array(n);
    }
  }

  /**
   * Column `c` of a row-major rows × cols float32 matrix, non-finite values dropped, sorted ascending, as a new
   * Float32Array.
   */
  sortedColumn(features: Float32Array, rows: number, cols: number, c: number): Float32Array {
    this.ensure(rows);
    const bits = new Uint32Array(features.buffer, features.byteOffset, features.length);
    const keys = this.keys;
    let n = 0;
    for (let r = 0, i = c; r < rows; r++, i += cols) {
      const v = features[i];
      if (v - v === 0) keys[n++] = toKey(bits[i]); // finite: v − v is NaN for ±Inf and NaN
    }
    const out = new Float32Array(n);
    this.sortKeys(n);
    const outBits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) outBits[i] = fromKey(keys[i]);
    return out;
  }

  /** Sort keys[0..n) in place (the result ends back in `keys`). */
  private sortKeys(n: number): void {
    const { keys, tmp, c0, c1, c2 } = this;
    c0.fill(0);
    c1.fill(0);
    c2.fill(0);
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      c0[k & M0]++;
      c1[(k >>> B0) & M1]++;
      c2[k >>> (B0 + B1)]++;
    }
    prefix(c0);
    prefix(c1);
    prefix(c2);
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      tmp[c0[k & M0]++] = k;
    }
    for (let i = 0; i < n; i++) {
      const k = tmp[i];
      keys[c1[(k >>> B0) & M1]++] = k;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      tmp[c2[k >>> (B0 + B1)]++] = k;
    }
    keys.set(tmp.subarray(0, n));
  }
}

/** Exclusive prefix sum in place. */
function prefix(c: Uint32Array): void {
  let acc = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i];
    c[i] = acc;
    acc += v;
  }
}

/**
 * Seeded, deterministic pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit state words, seeded
 * through splitmix32 so that nearby seeds give unrelated streams. Everything random in the engine (dropout masks,
 * weight init, shuffles) draws from an `Rng`, so one seed reproduces a run bit for bit.
 */

const TWO_POW_32 = 4294967296;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  /** `seed` is any finite number; its low 32 bits and the next 21 high bits are mixed in. */
  constructor(seed: number) {
    const st = { s: (seed | 0) ^ Math.floor(seed / TWO_POW_32) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /**
   * Fills `mask` with 1 where an element is kept (probability 1 − p) and 0 where dropped. One 32-bit draw per element,
   * compared against an integer threshold, so masks are identical on every platform.
   */
  bernoulliMask(mask: Uint8Array, p: number): void {
    const threshold = Math.min(TWO_POW_32, Math.round(p * TWO_POW_32));
    // The generator inlined on local state: the same stream as nextU32(), several times faster on large masks.
    // The unsigned comparison r ≥ threshold is done on sign-flipped int32s, which V8 keeps branch-free.
    const ts = (threshold - 2147483648) | 0;
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let i = 0; i < mask.length; i++) {
      const x = Math.imul(b, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9) ^ -2147483648;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      mask[i] = +(r >= ts);
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // p = 1: threshold 2³² has no int32 image; every element is dropped (the stream still advanced).
    if (threshold >= TWO_POW_32) mask.fill(0);
  }

  /** The full generator state, for checkpoints. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0, this.spare ?? Number.NaN];
  }

  setState(state: readonly number[]): void {
    this.a = state[0] | 0;
    this.b = state[1] | 0;
    this.c = state[2] | 0;
    this.d = state[3] | 0;
    this.spare = Number.isNaN(state[4]) || state[4] === undefined ? null : state[4];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

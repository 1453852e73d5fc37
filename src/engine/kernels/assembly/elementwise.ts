// Elementwise kernels over the element range [lo, hi) (addBias: row range), and the blocked column sum.

import { blendStore } from './simd';

/** out = max(x, 0) (NaN → 0). out may alias x. */
export function relu(lo: i32, hi: i32, x: usize, out: usize): void {
  const z = f32x4.splat(0);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.pmax(z, v128.load(x + o)));
  }
  for (; i < hi; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v > 0 ? v : 0);
  }
}

/** out = y > 0 ? grad : 0. out may alias grad. */
export function reluBackward(lo: i32, hi: i32, y: usize, grad: usize, out: usize): void {
  const z = f32x4.splat(0);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.and(v128.load(grad + o), f32x4.gt(v128.load(y + o), z)));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(y + o) > 0 ? load<f32>(grad + o) : 0);
  }
}

/** out = x · mask · scale (mask: bytes). out may alias x. */
export function maskScale(lo: i32, hi: i32, x: usize, mask: usize, scale: f32, out: usize): void {
  const sv = f32x4.splat(scale);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    const m = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>i))));
    v128.store(out + o, f32x4.mul(f32x4.mul(v128.load(x + o), m), sv));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * <f32>load<u8>(mask + <usize>i) * scale);
  }
}

/** y += alpha · x. */
export function axpy(lo: i32, hi: i32, alpha: f32, x: usize, y: usize): void {
  const av = f32x4.splat(alpha);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** Rows [lo, hi): out = x + bias (broadcast over rows). out may alias x. */
export function addBias(lo: i32, hi: i32, x: usize, bias: usize, cols: i32, out: usize): void {
  const ld4 = <usize>cols << 2;
  const full = cols & ~3;
  for (let i = lo; i < hi; i++) {
    const px = x + <usize>i * ld4;
    const po = out + <usize>i * ld4;
    let j = 0;
    for (; j < full; j += 4) {
      const o = <usize>j << 2;
      v128.store(po + o, f32x4.add(v128.load(px + o), v128.load(bias + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(po + o, load<f32>(px + o) + load<f32>(bias + o));
    }
  }
}

/** Rows per colSum block: the block partition is fixed, so the result does not depend on the thread count. */
export const COLSUM_BLOCK: i32 = 128;

/** Blocks [lo, hi): part[b, :] = Σ rows of block b of x (rows × cols), summed top to bottom. part has ld npad. */
export function colSumPartial(lo: i32, hi: i32, x: usize, rows: i32, cols: i32, part: usize): void {
  const ld4 = <usize>cols << 2;
  const npad = (cols + 3) & ~3;
  for (let b = lo; b < hi; b++) {
    const r0 = b * COLSUM_BLOCK;
    const r1 = min(rows, r0 + COLSUM_BLOCK);
    const pp = part + (<usize>(b * npad) << 2);
    for (let j = 0; j < cols; j += 4) {
      const o = <usize>j << 2;
      let acc = f32x4.splat(0);
      for (let r = r0; r < r1; r++) acc = f32x4.add(acc, v128.load(x + <usize>r * ld4 + o));
      v128.store(pp + o, acc);
    }
  }
}

/** out[j] = Σ_b part[b, j] in block order. */
export function colSumCombine(part: usize, nblocks: i32, cols: i32, out: usize): void {
  const npad = (cols + 3) & ~3;
  for (let j = 0; j < cols; j += 4) {
    const o = <usize>j << 2;
    let acc = f32x4.splat(0);
    for (let b = 0; b < nblocks; b++) acc = f32x4.add(acc, v128.load(part + (<usize>(b * npad) << 2) + o));
    blendStore(out + o, acc, 1, 0, cols - j);
  }
}


/**
 * Zero n bytes at ptr with the bulk-memory fill instruction. The allocator zeroes reused blocks with this: in V8,
 * TypedArray.prototype.fill on a SharedArrayBuffer takes a per-element slow path (~50× slower than memset).
 */
export function zeroBytes(ptr: usize, n: usize): void {
  memory.fill(ptr, 0, n);
}

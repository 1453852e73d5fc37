/** Argument checks shared by tensors and ops: every failure is a GnnopsError naming the field, value and limit. */
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { Shape } from './tensor.js';

export function argError(field: string, message: string, details?: Record<string, unknown>): never {
  throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${message}`, { field, ...details });
}

/** Requires a 2-D shape and returns [rows, cols]. */
export function dims2(field: string, shape: Shape): [number, number] {
  if (shape.length !== 2) argError(field, `expected a 2-D tensor, got shape [${shape}]`, { shape: [...shape] });
  return [shape[0], shape[1]];
}

export function sameShape(field: string, a: Shape, b: Shape): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    argError(field, `shapes differ: [${a}] vs [${b}]`, { a: [...a], b: [...b] });
  }
}

export function checkIndex(field: string, idx: Int32Array, limit: number): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= limit)
      argError(field, `index ${v} at position ${i} is outside [0, ${limit})`, { index: i, value: v, limit });
  }
}

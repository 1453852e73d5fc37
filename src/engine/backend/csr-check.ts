/**
 * Structural check of a CSR matrix, run once by `importCsr` (kernels trust their inputs: an index out of range
 * would read other buffers or trap inside a kernel).
 */
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { Csr } from './types.js';

function bad(field: string, message: string, details: Record<string, unknown>): never {
  throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `csr.${field}: ${message}`, { field: `csr.${field}`, ...details });
}

/** Throws INVALID_ARGUMENT naming the field and index when `a` is not a well-formed rows × cols CSR. */
export function checkCsr(a: Csr): void {
  const { rows, cols, indptr, indices, values } = a;
  if (!(Number.isInteger(rows) && rows >= 0)) bad('rows', `${rows} is not a non-negative integer`, { value: rows });
  if (!(Number.isInteger(cols) && cols >= 0)) bad('cols', `${cols} is not a non-negative integer`, { value: cols });
  if (indptr.length !== rows + 1) {
    bad('indptr', `has ${indptr.length} entries, needs rows + 1 = ${rows + 1}`, {
      value: indptr.length,
      limit: rows + 1,
    });
  }
  if (indptr[0] !== 0) bad('indptr', `[0] is ${indptr[0]}, must be 0`, { index: 0, value: indptr[0] });
  for (let i = 0; i < rows; i++) {
    if (indptr[i + 1] < indptr[i]) {
      bad('indptr', `decreases at [${i + 1}] (${indptr[i + 1]} < ${indptr[i]})`, {
        index: i + 1,
        value: indptr[i + 1],
      });
    }
  }
  const nnz = indptr[rows];
  if (indices.length < nnz) bad('indices', `has ${indices.length} entries, indptr needs ${nnz}`, { limit: nnz });
  if (values && values.length < nnz) bad('values', `has ${values.length} entries, indptr needs ${nnz}`, { limit: nnz });
  for (let t = 0; t < nnz; t++) {
    const j = indices[t];
    if (!(j >= 0 && j < cols))
      bad('indices', `[${t}] = ${j} is outside 0..${cols - 1}`, { index: t, value: j, limit: cols });
  }
}

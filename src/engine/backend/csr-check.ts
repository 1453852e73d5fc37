/**
 * The one structural check of a CSR matrix. `importCsr` runs it once per matrix (kernels trust their inputs: an
 * index out of range would read other buffers or trap inside a kernel), the adjacency builders run it on a graph's
 * structure, and the data readers on a stored matrix, each naming its own field prefix and error code.
 */
import { type ErrorCode, ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { Csr } from './types.js';

export interface CsrCheckOptions {
  /** Prefix of the field named in errors (default `csr`): `graph`, or the file being read. */
  name?: string;
  /** Error code thrown (default INVALID_ARGUMENT; a data file's reader passes DATA_INVALID). */
  code?: ErrorCode;
  /** Require exactly nnz indices (and values), as a stored matrix has, instead of at least nnz. */
  exact?: boolean;
}

/** The CSR fields the check reads; `values` may be any numeric array or absent (a structure-only matrix). */
export type CsrLike = Pick<Csr, 'rows' | 'cols' | 'indptr' | 'indices'> & { values?: ArrayLike<number> | null };

/** Throws (INVALID_ARGUMENT by default) naming the field and index when `a` is not a well-formed rows × cols CSR. */
export function checkCsr(a: CsrLike, opts: CsrCheckOptions = {}): void {
  const name = opts.name ?? 'csr';
  const code = opts.code ?? ErrorCodes.INVALID_ARGUMENT;
  const bad = (field: string, message: string, details: Record<string, unknown>): never => {
    throw new GnnopsError(code, `${name}.${field}: ${message}`, { field: `${name}.${field}`, ...details });
  };
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
  const short = (len: number) => (opts.exact ? len !== nnz : len < nnz);
  const needs = opts.exact ? 'exactly' : 'at least';
  if (short(indices.length))
    bad('indices', `has ${indices.length} entries, indptr needs ${needs} ${nnz}`, {
      value: indices.length,
      limit: nnz,
    });
  if (values && short(values.length))
    bad('values', `has ${values.length} entries, indptr needs ${needs} ${nnz}`, { value: values.length, limit: nnz });
  for (let t = 0; t < nnz; t++) {
    const j = indices[t];
    if (!(j >= 0 && j < cols))
      bad('indices', `[${t}] = ${j} is outside 0..${cols - 1}`, { index: t, value: j, limit: cols });
  }
}

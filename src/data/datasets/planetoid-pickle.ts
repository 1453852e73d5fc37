/**
 * Planetoid's reading of its pickled objects: scipy csr_matrix feature rows, dense one-hot label matrices and the
 * adjacency dict of lists, each validated (CSR through the engine's one CSR check) with errors naming the file
 * and the field. The pickle format itself is read by ../pickle.ts.
 */
import { checkCsr } from '../../engine/index.js';
import { ErrorCodes } from '../../util/errors.js';
import {
  dataFail,
  NdArray,
  ndarrayToFloat32,
  ndarrayToInt32,
  PyDict,
  PyInstance,
  PyTuple,
  type PyValue,
  pyText,
  typeName,
} from '../pickle.js';

export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** Interpret a pickled scipy csr_matrix, validating its state: shape, indptr monotone, indices in range. */
export function asCsrMatrix(v: PyValue, field: string): CsrMatrix {
  if (!(v instanceof PyInstance) || v.cls.name !== 'csr_matrix' || !(v.state instanceof PyDict)) {
    return dataFail(field, `expected a scipy csr_matrix, got ${typeName(v)}`);
  }
  const st = v.state;
  const fmt = pyText(st.get('format'));
  if (fmt !== null && fmt !== 'csr') dataFail(`${field}.format`, `'${fmt}' is not 'csr'`);
  const shape = st.get('_shape');
  if (!(shape instanceof PyTuple) || shape.items.length !== 2 || !shape.items.every((d) => typeof d === 'number')) {
    return dataFail(`${field}._shape`, 'not a pair of ints');
  }
  const [rows, cols] = shape.items as number[];
  const arr = (key: string) => {
    const a = st.get(key);
    if (!(a instanceof NdArray)) return dataFail(`${field}.${key}`, 'missing ndarray');
    return a;
  };
  const indptr = ndarrayToInt32(arr('indptr'), `${field}.indptr`);
  const indices = ndarrayToInt32(arr('indices'), `${field}.indices`);
  const data = ndarrayToFloat32(arr('data'), `${field}.data`);
  checkCsr({ rows, cols, indptr, indices, values: data }, { name: field, code: ErrorCodes.DATA_INVALID, exact: true });
  return { rows, cols, indptr, indices, data };
}

/** Interpret a pickled 2-D numeric ndarray; returns its shape and float32 values. */
export function asMatrix(v: PyValue, field: string): { rows: number; cols: number; values: Float32Array } {
  if (!(v instanceof NdArray)) return dataFail(field, `expected a numpy ndarray, got ${typeName(v)}`);
  if (v.shape.length !== 2) dataFail(field, `expected 2 dimensions, got shape (${v.shape.join(', ')})`);
  return { rows: v.shape[0], cols: v.shape[1], values: ndarrayToFloat32(v, field) };
}

/** Interpret a pickled dict (or defaultdict) of int → list of ints, as Planetoid's graph file is. */
export function asAdjacencyDict(v: PyValue, field: string): Map<number, number[]> {
  if (!(v instanceof PyDict)) return dataFail(field, `expected a dict of lists, got ${typeName(v)}`);
  const out = new Map<number, number[]>();
  for (const [k, list] of v.map) {
    if (typeof k !== 'number' || !Number.isInteger(k)) dataFail(`${field}[${JSON.stringify(k)}]`, 'key is not an int');
    if (!Array.isArray(list)) return dataFail(`${field}[${k}]`, `value is ${typeName(list)}, not a list`);
    for (let j = 0; j < list.length; j++) {
      if (typeof list[j] !== 'number' || !Number.isInteger(list[j])) dataFail(`${field}[${k}][${j}]`, 'not an int');
    }
    out.set(k, list as number[]);
  }
  return out;
}

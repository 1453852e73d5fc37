/**
 * Test fixture writer: Python-2 protocol-2 pickles of the three object kinds Planetoid files hold (scipy
 * csr_matrix, numpy int32/float32 ndarray, defaultdict(list)), laid out opcode for opcode as those files are,
 * so small Planetoid-format datasets with chosen quirks (e.g. CiteSeer's test-id gaps) can be built in tests.
 */
const enc = (s: string) => [...Buffer.from(s, 'latin1')];

class Out {
  bytes: number[] = [0x80, 2];
  op(...b: number[]) {
    this.bytes.push(...b);
  }
  global(module: string, name: string) {
    this.op(0x63, ...enc(`${module}\n${name}\n`));
  }
  int(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.op(0x4a, ...b);
  }
  str(s: string | Uint8Array) {
    const b = typeof s === 'string' ? enc(s) : [...s];
    if (b.length < 256) this.op(0x55, b.length, ...b);
    else {
      const n = Buffer.alloc(4);
      n.writeInt32LE(b.length);
      this.op(0x54, ...n, ...b);
    }
  }
  tuple(items: (() => void)[]) {
    this.op(0x28);
    for (const it of items) it();
    this.op(0x74);
  }
  dtype(descr: string) {
    this.global('numpy', 'dtype');
    this.str(descr);
    this.int(0);
    this.int(1);
    this.op(0x87, 0x52); // TUPLE3 REDUCE
    this.tuple([
      () => this.int(3),
      () => this.str('<'),
      () => this.op(0x4e),
      () => this.op(0x4e),
      () => this.op(0x4e),
      () => this.int(-1),
      () => this.int(-1),
      () => this.int(0),
    ]);
    this.op(0x62); // BUILD
  }
  ndarray(shape: number[], descr: 'i4' | 'f4', data: Int32Array | Float32Array) {
    this.global('numpy.core.multiarray', '_reconstruct');
    this.global('numpy', 'ndarray');
    this.int(0);
    this.op(0x85); // TUPLE1
    this.str('b');
    this.op(0x87, 0x52);
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.tuple([
      () => this.int(1),
      () => this.tuple(shape.map((d) => () => this.int(d))),
      () => this.dtype(descr),
      () => this.op(0x89),
      () => this.str(raw),
    ]);
    this.op(0x62);
  }
  done(): Uint8Array {
    this.op(0x2e);
    return Uint8Array.from(this.bytes);
  }
}

/**
 * A csr_matrix pickle of a dense row-major matrix (zeros dropped). `shape` overrides the stored `_shape`, to write
 * a matrix whose indices do not fit the shape it claims.
 */
export function csrPickle(
  rows: number,
  cols: number,
  dense: number[],
  shape: [number, number] = [rows, cols],
): Uint8Array {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (dense[i * cols + j] !== 0) {
        indices.push(j);
        data.push(dense[i * cols + j]);
      }
    }
    indptr.push(indices.length);
  }
  const o = new Out();
  o.global('scipy.sparse.csr', 'csr_matrix');
  o.op(0x29, 0x81, 0x7d, 0x28); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
  o.str('format');
  o.str('csr');
  o.str('_shape');
  o.tuple([() => o.int(shape[0]), () => o.int(shape[1])]);
  o.str('indptr');
  o.ndarray([indptr.length], 'i4', Int32Array.from(indptr));
  o.str('indices');
  o.ndarray([indices.length], 'i4', Int32Array.from(indices));
  o.str('data');
  o.ndarray([data.length], 'f4', Float32Array.from(data));
  o.op(0x75, 0x62); // SETITEMS BUILD
  return o.done();
}

/** A one-hot int32 ndarray pickle. */
export function oneHotPickle(labels: number[], classes: number): Uint8Array {
  const a = new Int32Array(labels.length * classes);
  labels.forEach((y, i) => {
    a[i * classes + y] = 1;
  });
  const o = new Out();
  o.ndarray([labels.length, classes], 'i4', a);
  return o.done();
}

/** A defaultdict(list) pickle of int → list of ints. */
export function graphPickle(adj: number[][]): Uint8Array {
  const o = new Out();
  o.global('collections', 'defaultdict');
  o.global('__builtin__', 'list');
  o.op(0x85, 0x52, 0x28); // TUPLE1 REDUCE MARK
  adj.forEach((list, k) => {
    o.int(k);
    o.op(0x5d, 0x28); // EMPTY_LIST MARK
    for (const v of list) o.int(v);
    o.op(0x65); // APPENDS
  });
  o.op(0x75);
  return o.done();
}

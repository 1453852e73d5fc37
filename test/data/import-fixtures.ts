/**
 * Generated inputs for the importer tests: a small graph with planted classes (features carry a class signal,
 * most edges join nodes of the same class), written in the OGB raw layout and as a CSV/TSV pair. Small enough to
 * import in milliseconds, structured enough that a trained model beats chance on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { mulberry32 } from '../../src/util/random.js';

export interface Planted {
  n: number;
  classes: number;
  features: number[][];
  labels: number[];
  edges: [number, number][];
  train: number[];
  valid: number[];
  test: number[];
}

export function planted(n = 60, classes = 3, dim = 4, seed = 7): Planted {
  const rand = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const features = labels.map((c) =>
    Array.from({ length: dim }, (_, j) => Number(((j === c ? 1 : 0) + 0.5 * (rand() - 0.5)).toFixed(4))),
  );
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const same = rand() < 0.85;
      let j = Math.floor(rand() * n);
      if (same) j = (Math.floor(j / classes) * classes + labels[i]) % n;
      if (j !== i) edges.push([i, j]);
    }
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    n,
    classes,
    features,
    labels,
    edges,
    train: idx.filter((i) => i % 5 < 3),
    valid: idx.filter((i) => i % 5 === 3),
    test: idx.filter((i) => i % 5 === 4),
  };
}

/** Write the OGB layout under dir; `gz` picks .csv.gz or plain .csv. Returns the file paths by role. */
export function writeOgb(dir: string, p: Planted, gz = true, splitName = 'time') {
  const ext = gz ? '.csv.gz' : '.csv';
  const put = (path: string, lines: string[]) => {
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path, gz ? gzipSync(text) : text);
    return path;
  };
  const raw = join(dir, 'raw');
  const split = join(dir, 'split', splitName);
  mkdirSync(raw, { recursive: true });
  mkdirSync(split, { recursive: true });
  return {
    edge: put(
      join(raw, `edge${ext}`),
      p.edges.map(([a, b]) => `${a},${b}`),
    ),
    feat: put(
      join(raw, `node-feat${ext}`),
      p.features.map((r) => r.join(',')),
    ),
    label: put(join(raw, `node-label${ext}`), p.labels.map(String)),
    numNodes: put(join(raw, `num-node-list${ext}`), [String(p.n)]),
    numEdges: put(join(raw, `num-edge-list${ext}`), [String(p.edges.length)]),
    train: put(join(split, `train${ext}`), p.train.map(String)),
    valid: put(join(split, `valid${ext}`), p.valid.map(String)),
    test: put(join(split, `test${ext}`), p.test.map(String)),
  };
}

/** String id of node i in the CSV fixtures: not numeric, so the id map is exercised. */
export const nodeId = (i: number) => `n${(i * 37) % 1000}-${i}`;
export const classNames = ['alpha', 'beta', 'gamma', 'delta'];

/** Node table (nodes.csv, with a split column unless withSplit is false) and edge list (edges.tsv, no header). */
export function writeCsv(dir: string, p: Planted, withSplit = true) {
  mkdirSync(dir, { recursive: true });
  const part = (i: number) => (p.train.includes(i) ? 'train' : p.valid.includes(i) ? 'val' : 'test');
  const header = ['id', ...p.features[0].map((_, j) => `f${j}`), 'label', ...(withSplit ? ['split'] : [])];
  const rows = p.labels.map((c, i) =>
    [nodeId(i), ...p.features[i], classNames[c], ...(withSplit ? [part(i)] : [])].join(','),
  );
  const nodes = join(dir, 'nodes.csv');
  writeFileSync(nodes, `${[header.join(','), ...rows].join('\n')}\n`);
  const edges = join(dir, 'edges.tsv');
  writeFileSync(edges, `${p.edges.map(([a, b]) => `${nodeId(a)}\t${nodeId(b)}`).join('\n')}\n`);
  return { nodes, edges };
}

/**
 * The planted graph as a CSV node table of ids and labels only (nodes.csv), its features in features.npy (rows in
 * table order, of the given dtype), the edge list (edges.tsv) and the split as three files of ids (train.txt,
 * valid.txt, test.txt, in a shuffled order so that file order is not table order).
 */
export function writeCsvWithFiles(dir: string, p: Planted, descr = '<f8') {
  mkdirSync(dir, { recursive: true });
  const nodes = join(dir, 'nodes.csv');
  writeFileSync(nodes, `id,label\n${p.labels.map((c, i) => `${nodeId(i)},${classNames[c]}`).join('\n')}\n`);
  const features = join(dir, 'features.npy');
  writeFileSync(features, npy(descr, [p.n, p.features[0].length], p.features.flat()));
  const edges = join(dir, 'edges.tsv');
  writeFileSync(edges, `${p.edges.map(([a, b]) => `${nodeId(a)}\t${nodeId(b)}`).join('\n')}\n`);
  const part = (name: string, list: number[]) => {
    const f = join(dir, `${name}.txt`);
    writeFileSync(f, `${[...list].reverse().map(nodeId).join('\n')}\n`);
    return f;
  };
  return {
    nodes,
    edges,
    features,
    splitFiles: { train: part('train', p.train), valid: part('valid', p.valid), test: part('test', p.test) },
  };
}

/** The little-endian bytes of values in a .npy dtype (the types the tests write). */
function npyData(descr: string, values: ArrayLike<number>): Buffer {
  const from = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  switch (descr.slice(1)) {
    case 'f4':
      return from(Float32Array.from(values));
    case 'f8':
      return from(Float64Array.from(values));
    case 'i1':
      return from(Int8Array.from(values));
    case 'i2':
      return from(Int16Array.from(values));
    case 'i4':
      return from(Int32Array.from(values));
    case 'u1':
    case 'b1':
      return from(Uint8Array.from(values));
    case 'u2':
      return from(Uint16Array.from(values));
    case 'i8':
      return from(BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))));
    case 'u8':
      return from(BigUint64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))));
    default:
      // Types the reader refuses (float16, complex, big-endian …): only their header matters to the tests.
      return from(Float32Array.from(values));
  }
}

/**
 * A .npy file as numpy.save writes it: magic, version, little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0),
 * the header dict padded with spaces to a multiple of 64 bytes and ended by a newline, then the data. `fortran`
 * only sets the header flag (the values are written as given).
 */
export function npy(
  descr: string,
  shape: number[],
  values: ArrayLike<number>,
  opts: { version?: 1 | 2 | 3; fortran?: boolean } = {},
): Buffer {
  const version = opts.version ?? 1;
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const pre = version === 1 ? 10 : 12;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  header += `${' '.repeat(63 - ((pre + header.length) % 64))}\n`;
  const head = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const start = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(start);
  if (version === 1) start.writeUInt16LE(head.length, 8);
  else start.writeUInt32LE(head.length, 8);
  return Buffer.concat([start, head, npyData(descr, values)]);
}

/** A zip archive of the members, stored or deflated (numpy.savez / savez_compressed). */
export function zip(members: Record<string, Buffer>, deflate: boolean): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, raw] of Object.entries(members)) {
    const body = deflate ? deflateRawSync(raw) : raw;
    const n = Buffer.from(name);
    const crc = crc32(raw);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(raw.length, 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(raw.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, body);
    central.push(ch, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(members).length, 8);
  end.writeUInt16LE(Object.keys(members).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * The planted graph as a Shchur-style .npz: symmetric adjacency CSR (float32 ones), sparse attributes (CSR) or a
 * dense attr_matrix, int64 labels.
 */
export function writeNpz(path: string, p: Planted, opts: { dense?: boolean; deflate?: boolean } = {}): void {
  const rows: number[][] = Array.from({ length: p.n }, () => []);
  for (const [u, v] of p.edges) rows[u].push(v);
  const indptr = [0];
  const indices: number[] = [];
  for (const r of rows) {
    const s = [...new Set(r)].sort((a, b) => a - b);
    indices.push(...s);
    indptr.push(indices.length);
  }
  const dim = p.features[0].length;
  const m: Record<string, Buffer> = {
    'adj_data.npy': npy('<f4', [indices.length], new Array(indices.length).fill(1)),
    'adj_indices.npy': npy('<i4', [indices.length], indices),
    'adj_indptr.npy': npy('<i4', [indptr.length], indptr),
    'adj_shape.npy': npy('<i8', [2], [p.n, p.n]),
    'labels.npy': npy('<i8', [p.n], p.labels),
  };
  if (opts.dense) m['attr_matrix.npy'] = npy('<f4', [p.n, dim], p.features.flat());
  else {
    const ai = [0];
    const aj: number[] = [];
    const ad: number[] = [];
    for (const r of p.features) {
      r.forEach((v, j) => {
        if (v !== 0) {
          aj.push(j);
          ad.push(v);
        }
      });
      ai.push(aj.length);
    }
    m['attr_data.npy'] = npy('<f4', [ad.length], ad);
    m['attr_indices.npy'] = npy('<i4', [aj.length], aj);
    m['attr_indptr.npy'] = npy('<i4', [ai.length], ai);
    m['attr_shape.npy'] = npy('<i8', [2], [p.n, dim]);
  }
  writeFileSync(path, zip(m, opts.deflate ?? false));
}

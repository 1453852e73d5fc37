/**
 * The .npy reader: headers of format versions 1.0, 2.0 and 3.0 (the fixture writer in test/data/import-fixtures.ts
 * writes what numpy.save writes), each supported dtype converted exactly, reading in chunks gives the same array as
 * reading whole, and every malformed file is refused naming what is wrong. Where python3 with numpy is installed,
 * files written by numpy itself are read too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { parseNpy, parseNpyHeader, readNpyFloat32, readNpyHeader } from '../../src/util/npy.js';
import { npy } from '../data/import-fixtures.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gnnops-npy-'));
});
const put = (name: string, bytes: Buffer) => {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
};

describe('npy headers', () => {
  for (const version of [1, 2, 3] as const) {
    it(`format ${version}.0: shape, dtype and data offset`, () => {
      const b = npy('<f4', [2, 3], [1, 2, 3, 4, 5, 6], { version });
      const h = parseNpyHeader(b, 'x.npy', b.length);
      assert.ok(!('need' in h));
      assert.deepEqual(h.shape, [2, 3]);
      assert.equal(h.kind, 'f');
      assert.equal(h.itemSize, 4);
      assert.equal(h.count, 6);
      assert.equal(h.dataOffset % 64, 0, 'numpy pads the header to a multiple of 64 bytes');
      assert.deepEqual([...readNpyFloat32(put('x.npy', b)).data], [1, 2, 3, 4, 5, 6]);
    });
  }

  it('asks for more bytes when given only the start of a file', () => {
    const b = npy('<f8', [5], [1, 2, 3, 4, 5]);
    assert.deepEqual(parseNpyHeader(b.subarray(0, 12), 'x.npy'), { need: 128 });
  });

  it('reads Python 2 long integers, a 1-tuple and an empty shape (a scalar)', () => {
    const raw = (header: string, data: Buffer) => {
      const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
      pre.writeUInt16LE(header.length, 8);
      return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
    };
    const a = parseNpy(raw("{'descr': '<i4', 'fortran_order': False, 'shape': (3L,), }\n", npyBody('<i4', [7, 8, 9])));
    assert.deepEqual(a.shape, [3]);
    assert.deepEqual([...a.data], [7, 8, 9]);
    const s = parseNpy(raw('{"descr": "<f8", "shape": (), "fortran_order": False}\n', npyBody('<f8', [2.5])));
    assert.deepEqual(s.shape, []);
    assert.deepEqual([...s.data], [2.5]);
  });
});

/** The data bytes of a .npy file alone. */
function npyBody(descr: string, values: number[]): Buffer {
  const b = npy(descr, [values.length], values);
  const h = parseNpyHeader(b, 'x.npy', b.length);
  assert.ok(!('need' in h));
  return b.subarray(h.dataOffset);
}

describe('npy dtypes', () => {
  const cases: [string, number[]][] = [
    ['<f4', [0.5, -1.25, 3e10]],
    ['<f8', [0.1, -2.5, 1e-300]],
    ['|i1', [-128, 0, 127]],
    ['<i2', [-32768, 5, 32767]],
    ['<i4', [-2147483648, 0, 2147483647]],
    ['<i8', [-(2 ** 40), 0, 2 ** 40]],
    ['|u1', [0, 200, 255]],
    ['<u2', [0, 1000, 65535]],
    ['|b1', [1, 0, 1]],
  ];
  for (const [descr, values] of cases) {
    it(`${descr} reads as float32 of its values, whole and in chunks`, () => {
      const f = put('x.npy', npy(descr, [values.length], values));
      const whole = readNpyFloat32(f).data;
      assert.deepEqual([...whole], [...Float32Array.from(values)]);
      assert.deepEqual([...parseNpy(npy(descr, [values.length], values)).data].map(Math.fround), [...whole]);
    });
  }

  it('chunks that split the array anywhere give the same values, with progress to the end', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 100);
    const f = put('x.npy', npy('<f8', [250, 4], values));
    const whole = readNpyFloat32(f).data;
    const seen: number[] = [];
    const chunked = readNpyFloat32(f, { chunkBytes: 24, progress: (d) => seen.push(d) }).data;
    assert.deepEqual([...chunked], [...whole]);
    assert.equal(seen.length, Math.ceil(1000 / 3));
    assert.equal(seen.at(-1), 1000);
  });
});

describe('malformed .npy files are refused by name', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    [
      'a bad magic',
      () => Buffer.concat([Buffer.from('NOTNPY\x01\x00'), Buffer.alloc(120)]),
      /x\.npy: not a \.npy file \(bad magic/,
    ],
    ['a file too short to be .npy', () => Buffer.from([0x93, 0x4e]), /x\.npy: not a \.npy file \(2 bytes, too short\)/],
    ['an unknown format version', () => withByte(npy('<f4', [1], [1]), 6, 4), /unsupported \.npy format version 4\.0/],
    [
      'fortran order',
      () => npy('<f4', [2, 2], [1, 2, 3, 4], { fortran: true }),
      /Fortran-order .*np\.ascontiguousarray/,
    ],
    [
      'a big-endian dtype',
      () => npy('>f4', [1], [1], {}),
      /unsupported dtype >f4 \(big-endian; save with a\.astype\('<f4'\)\)/,
    ],
    ['float16', () => npy('<f2', [1], [1]), /unsupported dtype <f2 \(float16/],
    ['a complex dtype', () => npy('<c8', [1], [1]), /unsupported dtype <c8: use float32, float64/],
    [
      'a structured dtype',
      () => withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
      /structured \(record\) dtypes/,
    ],
    ['a header missing shape', () => withHeader("{'descr': '<f4', 'fortran_order': False, }"), /has no 'shape' key/],
    [
      'a header that is not a literal',
      () => withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1+1,), }"),
      /\.npy header: "," or "\)" expected at character/,
    ],
    [
      'a negative dimension',
      () => withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
      /shape \[-1\] is not a tuple of non-negative integers/,
    ],
    [
      'truncated data',
      () => npy('<f4', [4], [1, 2, 3, 4]).subarray(0, 128 + 12),
      /truncated: shape \(4\) of <f4 needs 16 data bytes, the file has 12/,
    ],
    ['bytes after the array', () => Buffer.concat([npy('<f4', [1], [1]), Buffer.alloc(4)]), /4 bytes follow the array/],
    [
      'a truncated header',
      () => npy('<f4', [1], [1]).subarray(0, 40),
      /truncated: the header is 118 bytes, the file has 40/,
    ],
    [
      'a value that is not finite',
      () => npy('<f8', [2, 2], [1, 2, Number.NaN, 4]),
      /row 1, column 0 \(0-based\) is NaN/,
    ],
    [
      'a value beyond float32',
      () => npy('<f8', [1, 2], [1, 1e300]),
      /row 0, column 1 \(0-based\) is 1e\+300, beyond float32/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      const f = put('x.npy', make());
      assert.throws(() => readNpyFloat32(f), message);
    });
  }

  it('the header alone is read without the data (readNpyHeader)', () => {
    const f = put('x.npy', npy('<f4', [3, 2], [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(readNpyHeader(f).shape, [3, 2]);
  });
});

function withByte(b: Buffer, at: number, v: number): Buffer {
  const c = Buffer.from(b);
  c[at] = v;
  return c;
}

function withHeader(dict: string): Buffer {
  const header = `${dict}${' '.repeat(63 - ((10 + dict.length) % 64))}\n`;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.alloc(4)]);
}

/** python3 with numpy, when installed: files numpy itself writes are the real test of the reader. */
function numpyAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('files written by numpy', () => {
  const skip = numpyAvailable() ? false : 'python3 with numpy is not installed';
  it('every version and dtype numpy writes for a 2-D array reads back equal', { skip }, () => {
    const out = join(dir, 'np');
    const script = `
import numpy as np, sys, os
out = sys.argv[1]; os.makedirs(out)
a = (np.arange(12).reshape(4, 3) * 1.5 - 4)
for dt in ['<f4', '<f8', '<i4', '<i8', '|u1', '<i2']:
    for v in [(1, 0), (2, 0), (3, 0)]:
        with open(os.path.join(out, f"{dt[1:]}-v{v[0]}.npy"), 'wb') as f:
            np.lib.format.write_array(f, np.abs(a).astype(dt) if dt == '|u1' else a.astype(dt), version=v)
np.save(os.path.join(out, 'fortran.npy'), np.asfortranarray(a))
`;
    execFileSync('python3', ['-c', script, out]);
    const base = Array.from({ length: 12 }, (_, i) => i * 1.5 - 4);
    for (const dt of ['f4', 'f8', 'i4', 'i8', 'u1', 'i2']) {
      const expect = dt.startsWith('f')
        ? base
        : base.map((x) => (dt === 'u1' ? Math.trunc(Math.abs(x)) : Math.trunc(x)));
      for (const v of [1, 2, 3]) {
        const { header, data } = readNpyFloat32(join(out, `${dt}-v${v}.npy`));
        assert.deepEqual(header.shape, [4, 3], `${dt} v${v}`);
        assert.deepEqual([...data], [...Float32Array.from(expect)], `${dt} v${v}`);
      }
    }
    assert.throws(() => readNpyFloat32(join(out, 'fortran.npy')), /Fortran-order/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { asAdjacencyDict, asCsrMatrix, asMatrix } from '../../src/data/datasets/planetoid-pickle.js';
import { NdArray, PyDict, PyTuple, readPickle } from '../../src/data/pickle.js';
import { GnnopsError } from '../../src/util/errors.js';
import { csrPickle } from './pickle-writer.js';
import { coraMissing, coraRawDir } from './shared-data.js';

const raw = (part: string) => readFileSync(resolve(coraRawDir, `ind.cora.${part}`));

/** Hand-assembled pickles: each byte sequence exercises one opcode family the Planetoid files use. */
const P = (...parts: (number | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...Buffer.from(p, 'latin1')])));

describe('readPickle: opcodes', () => {
  it('reads ints, bools, None, strings, tuples, lists and dicts with memo', () => {
    // {'a': (1, 300, -2), 'b': [True, None, 'xy'], 7: <memo of the tuple>}
    const bytes = P(
      0x80,
      2,
      '}',
      'q',
      0,
      '(',
      'U',
      1,
      'a',
      'K',
      1,
      'M',
      0x2c,
      0x01,
      'J',
      0xfe,
      0xff,
      0xff,
      0xff,
      0x87,
      'q',
      1,
      'U',
      1,
      'b',
      ']',
      '(',
      0x88,
      'N',
      'T',
      2,
      0,
      0,
      0,
      'xy',
      'e',
      'K',
      7,
      'h',
      1,
      'u',
      '.',
    );
    const v = readPickle(bytes);
    assert.ok(v instanceof PyDict);
    const t = v.get('a');
    assert.ok(t instanceof PyTuple);
    assert.deepEqual(t.items, [1, 300, -2]);
    const list = v.get('b');
    assert.ok(Array.isArray(list));
    assert.equal(list[0], true);
    assert.equal(list[1], null);
    assert.deepEqual([...(list[2] as Uint8Array)], [0x78, 0x79]);
    assert.equal(v.map.get(7), t, 'BINGET returns the memoised object');
  });

  it('rejects an unknown opcode with its offset', () => {
    assert.throws(
      () => readPickle(P(0x80, 2, 'K', 1, 0xff, '.'), 'bad.pkl'),
      (e: unknown) =>
        e instanceof GnnopsError &&
        e.code === 'E_PICKLE_UNSUPPORTED' &&
        /bad\.pkl.*opcode 0xff at byte offset 4/.test(e.message),
    );
  });

  it('refuses globals outside the allow-list (nothing is executed)', () => {
    assert.throws(
      () => readPickle(P(0x80, 2, 'c', 'os\nsystem\n', 'U', 2, 'ls', 0x85, 'R', '.')),
      (e: unknown) =>
        e instanceof GnnopsError &&
        e.code === 'E_PICKLE_UNSUPPORTED' &&
        /global os\.system at byte offset 2/.test(e.message),
    );
  });

  it('reports truncation and a missing STOP as malformed', () => {
    assert.throws(() => readPickle(P(0x80, 2, 'T', 10, 0, 0, 0, 'abc')), /offset 2: truncated/);
    assert.throws(() => readPickle(P(0x80, 2, 'K', 1)), /ended without STOP/);
    assert.throws(() => readPickle(P(0x80, 2, 'h', 5, '.')), /memo key 5 was never stored/);
    assert.throws(() => readPickle(P(0x80, 2, 't', '.')), /no MARK/);
  });

  it('rejects a protocol above 3', () => {
    assert.throws(() => readPickle(P(0x80, 4, 'N', '.')), /protocol > 3/);
  });
});

describe('readPickle: real Cora files', { skip: coraMissing }, () => {
  it('reads the csr_matrix files with their documented shapes and nnz', () => {
    for (const [part, rows, nnz] of [
      ['x', 140, 2647],
      ['tx', 1000, 17955],
      ['allx', 1708, 31261],
    ] as const) {
      const m = asCsrMatrix(readPickle(raw(part)), part);
      assert.equal(m.rows, rows, part);
      assert.equal(m.cols, 1433, part);
      assert.equal(m.indices.length, nnz, part);
      assert.ok(
        m.data.every((d) => d === 1),
        `${part}: all values 1.0`,
      );
    }
  });

  it('reads the one-hot label arrays', () => {
    for (const [part, rows] of [
      ['y', 140],
      ['ty', 1000],
      ['ally', 1708],
    ] as const) {
      const m = asMatrix(readPickle(raw(part)), part);
      assert.equal(m.rows, rows);
      assert.equal(m.cols, 7);
      for (let i = 0; i < rows; i++) {
        const row = m.values.subarray(i * 7, i * 7 + 7);
        assert.equal(
          row.reduce((a, b) => a + b, 0),
          1,
          `${part} row ${i} is one-hot`,
        );
      }
    }
  });

  it('x equals the first 140 rows of allx', () => {
    const x = asCsrMatrix(readPickle(raw('x')), 'x');
    const allx = asCsrMatrix(readPickle(raw('allx')), 'allx');
    assert.deepEqual(x.indptr, allx.indptr.subarray(0, 141));
    assert.deepEqual(x.indices, allx.indices.subarray(0, x.indices.length));
  });

  it('reads the defaultdict graph: 2708 ascending keys, 10858 entries', () => {
    const v = readPickle(raw('graph'));
    assert.ok(v instanceof PyDict);
    assert.equal(v.defaultFactory, 'list');
    const g = asAdjacencyDict(v, 'graph');
    assert.deepEqual(
      [...g.keys()],
      Array.from({ length: 2708 }, (_, i) => i),
    );
    let n = 0;
    for (const l of g.values()) n += l.length;
    assert.equal(n, 10858);
  });

  it('gives typed errors when a file is the wrong kind or cut short', () => {
    assert.throws(
      () => asCsrMatrix(readPickle(raw('y')), 'ind.cora.y'),
      /ind\.cora\.y: expected a scipy csr_matrix, got NdArray/,
    );
    const cut = raw('allx').subarray(0, 5000);
    assert.throws(
      () => readPickle(cut, 'ind.cora.allx'),
      (e: unknown) =>
        e instanceof GnnopsError && /ind\.cora\.allx: pickle: malformed input .*truncated/.test(e.message),
    );
    assert.ok(readPickle(raw('y')) instanceof NdArray);
  });

  it('rejects a csr_matrix whose structure does not fit its shape, as DATA_INVALID naming the field and index', () => {
    const m = asCsrMatrix(readPickle(csrPickle(2, 3, [0, 0, 1, 1, 0, 0])), 'ind.t.x');
    assert.deepEqual([...m.indptr], [0, 1, 2]);
    assert.deepEqual([...m.indices], [2, 0]);
    assert.throws(
      () => asCsrMatrix(readPickle(csrPickle(2, 3, [0, 0, 1, 1, 0, 0], [2, 2])), 'ind.t.x'),
      (e: unknown) =>
        e instanceof GnnopsError &&
        e.code === 'E_DATA_INVALID' &&
        /ind\.t\.x\.indices: \[0\] = 2 is outside 0\.\.1/.test(e.message),
    );
    assert.throws(
      () => asCsrMatrix(readPickle(csrPickle(2, 3, [0, 0, 1, 1, 0, 0], [3, 3])), 'ind.t.x'),
      /ind\.t\.x\.indptr: has 3 entries, needs rows \+ 1 = 4/,
    );
  });
});

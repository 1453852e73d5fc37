import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readIntVector, readWindowFile } from '../../src/monitor/window-file.js';
import { GnnopsError } from '../../src/util/errors.js';
import { parseNpy } from '../../src/util/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-window-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Write a .npy v1.0 file as NumPy does: magic, version, little-endian header length, padded dict, data. */
function npy(descr: string, shape: number[], data: ArrayBufferView): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = `${dict}${' '.repeat(pad % 64)}\n`;
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

describe('window files', () => {
  it('reads a 2-D float32 .npy as rows × features', () => {
    const f = join(dir, 'x.npy');
    writeFileSync(f, npy('<f4', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])));
    const w = readWindowFile(f);
    assert.deepEqual([w.rows, w.cols], [2, 3]);
    assert.deepEqual(Array.from(w.features), [1, 2, 3, 4, 5, 6]);
  });

  it('reads float64 and int64 .npy vectors', () => {
    const a = parseNpy(npy('<f8', [3], Float64Array.from([0.5, 1.5, -2])));
    assert.deepEqual(Array.from(a.data), [0.5, 1.5, -2]);
    const f = join(dir, 'p.npy');
    writeFileSync(f, npy('<i8', [4], BigInt64Array.from([0n, 3n, 3n, 9n])));
    assert.deepEqual(readIntVector(f), [0, 3, 3, 9]);
  });

  it('reads JSON rows, a JSON object with predictions and degrees, and JSON lines of requests', () => {
    const rows = join(dir, 'rows.json');
    writeFileSync(
      rows,
      JSON.stringify([
        [1, 2],
        [3, null],
      ]),
    );
    const w1 = readWindowFile(rows);
    assert.equal(w1.rows, 2);
    assert.ok(Number.isNaN(w1.features[3]));
    const obj = join(dir, 'obj.json');
    writeFileSync(obj, JSON.stringify({ features: [[1, 2]], predictions: [4], degrees: [7], subgraphSizes: [30] }));
    const w2 = readWindowFile(obj);
    assert.deepEqual([w2.predictions, w2.degrees, w2.subgraphSizes], [[4], [7], [30]]);
    const jl = join(dir, 'log.jsonl');
    writeFileSync(
      jl,
      `${JSON.stringify({
        features: [
          [1, 2],
          [3, 4],
        ],
        predictions: [0, 1],
        degrees: [2, 5],
        subgraphSize: 2,
      })}\n\n${JSON.stringify({ features: [5, 6], prediction: 2, degree: 1 })}\n`,
    );
    const w3 = readWindowFile(jl);
    assert.equal(w3.rows, 3);
    assert.deepEqual(w3.predictions, [0, 1, 2]);
    assert.deepEqual(w3.degrees, [2, 5, 1]);
    assert.deepEqual(w3.subgraphSizes, [2]);
  });

  it('names the file, line and field of bad input', () => {
    const expectErr = (f: string, re: RegExp) =>
      assert.throws(
        () => readWindowFile(f),
        (e: unknown) => e instanceof GnnopsError && re.test(e.message),
      );
    const ragged = join(dir, 'ragged.jsonl');
    writeFileSync(ragged, '{"features":[1,2]}\n{"features":[1,2,3]}\n');
    expectErr(ragged, /ragged\.jsonl: line 2\.features: row has 3 values, expected 2/);
    const badJson = join(dir, 'bad.jsonl');
    writeFileSync(badJson, '{"features":[1]}\n{oops\n');
    expectErr(badJson, /line 2: not JSON/);
    const fortran = join(dir, 'f.npy');
    writeFileSync(
      fortran,
      npy('<f4', [1, 1], Float32Array.from([1]))
        .toString('latin1')
        .replace('False', 'True '),
      'latin1',
    );
    expectErr(fortran, /Fortran-order/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{"predictions":[1]}');
    expectErr(empty, /no feature rows/);
    expectErr(join(dir, 'nope.json'), /cannot be read/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';
import { isGnnopsError } from '../../src/util/errors.js';

describe('safetensors', () => {
  it('round-trips tensors and metadata, with the data section 8-byte aligned', () => {
    const tensors = new Map([
      [
        'a.weight',
        { shape: [2, 3], data: Float32Array.from([1, -2.5, 3, 1e-7, Number.MAX_VALUE > 0 ? 3.4e38 : 0, -0]) },
      ],
      ['b', { shape: [1], data: Float32Array.from([Math.PI]) }],
      ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ]);
    const bytes = encodeSafetensors(tensors, { format: 'x', config: '{"k":1}' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.metadata, { format: 'x', config: '{"k":1}' });
    assert.deepEqual([...back.tensors.keys()], ['a.weight', 'b', 'empty']);
    for (const [k, t] of tensors) {
      assert.deepEqual(back.tensors.get(k)?.shape, t.shape);
      assert.deepEqual(back.tensors.get(k)?.data, t.data);
    }
  });

  it('parses a file built by hand per the spec (F32 and I32, offsets out of header order)', () => {
    const header = JSON.stringify({
      __metadata__: { who: 'hand' },
      w: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
      idx: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
    });
    const hb = Buffer.from(header);
    const buf = Buffer.alloc(8 + hb.length + 16);
    buf.writeBigUInt64LE(BigInt(hb.length), 0);
    hb.copy(buf, 8);
    const d = 8 + hb.length;
    buf.writeInt32LE(7, d);
    buf.writeInt32LE(-3, d + 4);
    buf.writeFloatLE(0.5, d + 8);
    buf.writeFloatLE(-1.25, d + 12);
    const f = decodeSafetensors(new Uint8Array(buf));
    assert.equal(f.metadata.who, 'hand');
    assert.deepEqual(Array.from(f.tensors.get('w')?.data ?? []), [0.5, -1.25]);
    assert.deepEqual(Array.from(f.tensors.get('idx')?.data ?? []), [7, -3]);
  });

  it('rejects truncated files, bad header lengths and offsets that do not fit the shape', () => {
    const good = encodeSafetensors(new Map([['x', { shape: [4], data: new Float32Array(4) }]]));
    const cases: Uint8Array[] = [good.subarray(0, 5), good.subarray(0, good.length - 4)];
    const huge = Uint8Array.from(good);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    cases.push(huge);
    const hb = Buffer.from(JSON.stringify({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }));
    const bad = Buffer.alloc(8 + hb.length + 16);
    bad.writeBigUInt64LE(BigInt(hb.length), 0);
    hb.copy(bad, 8);
    cases.push(new Uint8Array(bad));
    for (const c of cases)
      assert.throws(
        () => decodeSafetensors(c),
        (e) => isGnnopsError(e) && e.code === 'E_CHECKPOINT_INVALID',
      );
  });
});

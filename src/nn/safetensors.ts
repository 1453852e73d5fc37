/**
 * The safetensors format (https://github.com/huggingface/safetensors), readable by its Python and Rust libraries:
 *
 *   [8 bytes: N, unsigned little-endian]  [N bytes: JSON header, UTF-8, padded with spaces]  [data]
 *   header = { "__metadata__": {string: string}, name: { "dtype": "F32", "shape": [..], "data_offsets": [b, e] } }
 *
 * Offsets are relative to the start of the data section; tensors are stored back to back in header order, row-major,
 * little-endian. The header is padded with spaces so the data starts at an 8-byte boundary, as the reference writer
 * does. Only F32 is written; F32, F64, I32 and U8 are read (F64 converts to float32 on read).
 */
import { ErrorCodes, GnnopsError } from '../util/errors.js';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, U8: 1 };
/** Header size limit: a guard against reading a huge bogus length (the reference reader uses 100 MB). */
const MAX_HEADER = 100_000_000;

function invalid(msg: string, details?: Record<string, unknown>): never {
  throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, `safetensors: ${msg}`, details);
}

/** Serialises tensors (in the map's order) and string metadata. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') invalid('a tensor cannot be named __metadata__');
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) invalid(`tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

/** Parses a safetensors buffer, checking every offset and shape against the data section. */
export function decodeSafetensors(buf: Uint8Array): SafetensorsFile {
  if (buf.byteLength < 8) invalid(`file is ${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > buf.byteLength)
    invalid(`header length ${n} exceeds the file (${buf.byteLength} bytes)`, { headerLength: n });
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    invalid(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) invalid('header is not an object');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, NamedTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') invalid(`__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = String(info.dtype);
    const size = DTYPE_BYTES[dtype];
    if (!size) invalid(`tensor "${name}" has unsupported dtype ${dtype} (F32, F64, I32, U8)`, { tensor: name });
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      invalid(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`, { tensor: name });
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0))
      invalid(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offs)}`, { tensor: name });
    const [b, e] = offs as [number, number];
    const count = (shape as number[]).reduce((a, c) => a * c, 1);
    if (e < b || e > dataLen || e - b !== count * size) {
      invalid(
        `tensor "${name}": data_offsets [${b}, ${e}] do not hold ${count} ${dtype} values within ${dataLen} bytes`,
        {
          tensor: name,
        },
      );
    }
    const data = new Float32Array(count);
    const at = dataStart + b;
    for (let i = 0; i < count; i++) {
      const p = at + i * size;
      data[i] =
        dtype === 'F32'
          ? view.getFloat32(p, true)
          : dtype === 'F64'
            ? view.getFloat64(p, true)
            : dtype === 'I32'
              ? view.getInt32(p, true)
              : view.getUint8(p);
    }
    tensors.set(name, { shape: shape as number[], data });
  }
  return { tensors, metadata };
}

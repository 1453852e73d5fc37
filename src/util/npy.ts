/** NumPy's .npy format, read by drift windows and by the npz dataset import. */
import { ErrorCodes, GnnopsError } from './errors.js';

function fail(file: string, msg: string): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${file}: ${msg}`, { file });
}

/** A parsed .npy array: shape and values as float64 (ints included). */
export interface NpyArray {
  shape: number[];
  data: Float64Array | Float32Array | Int32Array;
}

/** Parse NumPy's .npy format (v1–v3 headers): `<f4`, `<f8`, `<i4`, `<i8` (int64 within ±2^53), C order only. */
export function parseNpy(buf: Uint8Array, file = 'array.npy'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) fail(file, 'not a .npy file (bad magic)');
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(buf.subarray(start, start + headerLen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(file, `unreadable .npy header ${JSON.stringify(header)}`);
  if (fortran === 'True') fail(file, 'Fortran-order arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  const bytes = buf.subarray(off);
  const copy = (width: number) => {
    if (bytes.length < count * width) fail(file, `truncated: ${bytes.length} data bytes for ${count} × ${width}`);
    const ab = new ArrayBuffer(count * width);
    new Uint8Array(ab).set(bytes.subarray(0, count * width));
    return ab;
  };
  switch (descr) {
    case '<f4':
      return { shape, data: new Float32Array(copy(4)) };
    case '<f8':
      return { shape, data: new Float64Array(copy(8)) };
    case '<i4':
      return { shape, data: new Int32Array(copy(4)) };
    case '<i8': {
      const big = new BigInt64Array(copy(8));
      return { shape, data: Float64Array.from(big, (v) => Number(v)) };
    }
    default:
      return fail(file, `unsupported dtype ${descr} (use float32, float64, int32 or int64, little-endian)`);
  }
}

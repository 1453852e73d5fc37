/**
 * The members of a .zip archive (as NumPy's savez and savez_compressed write them): stored or deflated entries,
 * found through the central directory. ZIP64 archives (members of 4 GiB or more) are refused with a clear error.
 */
import { inflateRawSync } from 'node:zlib';
import { inputError } from './lines.js';

export function readZip(buf: Uint8Array, file: string): Map<string, Uint8Array> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) inputError(file, undefined, undefined, 'is not a zip archive (no end-of-central-directory record)');
  const entries = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  if (at === 0xffffffff || entries === 0xffff)
    inputError(file, undefined, undefined, 'is a ZIP64 archive, not supported');
  const out = new Map<string, Uint8Array>();
  for (let k = 0; k < entries; k++) {
    if (at + 46 > buf.length || dv.getUint32(at, true) !== 0x02014b50) {
      inputError(file, undefined, undefined, `zip central directory entry ${k} is damaged`);
    }
    const method = dv.getUint16(at + 10, true);
    const size = dv.getUint32(at + 20, true);
    const nameLen = dv.getUint16(at + 28, true);
    const next = at + 46 + nameLen + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
    const local = dv.getUint32(at + 42, true);
    const name = Buffer.from(buf.subarray(at + 46, at + 46 + nameLen)).toString('utf8');
    if (size === 0xffffffff) inputError(file, undefined, undefined, `member ${name} needs ZIP64, not supported`);
    if (local + 30 > buf.length || dv.getUint32(local, true) !== 0x04034b50) {
      inputError(file, undefined, undefined, `zip member ${name}: damaged local header`);
    }
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const data = buf.subarray(start, start + size);
    if (method === 0) out.set(name, data);
    else if (method === 8) {
      try {
        out.set(name, inflateRawSync(data));
      } catch (e) {
        inputError(file, undefined, undefined, `zip member ${name} does not inflate: ${(e as Error).message}`);
      }
    } else inputError(file, undefined, undefined, `zip member ${name}: compression method ${method} is not supported`);
    at = next;
  }
  return out;
}

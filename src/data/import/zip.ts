/**
 * The members of a .zip archive (as NumPy's savez and savez_compressed write them): stored or deflated entries,
 * found through the central directory. ZIP64 archives (members of 4 GiB or more) are refused with a clear error.
 * `readZip` takes the archive's bytes (a .npz); `zipMembers` and `extractZip` read an archive on disk in pieces
 * (a downloaded dataset, too large to hold).
 */
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
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

/** One member of a zip archive on disk, as its central directory describes it. */
export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** The members of a zip file, read from its central directory without loading the archive. */
export function zipMembers(file: string): ZipMember[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 22 + 65535);
    const tail = readAt(fd, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) inputError(file, undefined, undefined, 'is not a zip archive (no end-of-central-directory record)');
    const entries = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirAt = tail.readUInt32LE(eocd + 16);
    if (dirAt === 0xffffffff || entries === 0xffff)
      inputError(file, undefined, undefined, 'is a ZIP64 archive, not supported');
    if (dirAt + dirSize > size)
      inputError(file, undefined, undefined, 'is truncated: its central directory lies past the end');
    const dir = readAt(fd, dirSize, dirAt);
    const out: ZipMember[] = [];
    let at = 0;
    for (let k = 0; k < entries; k++) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== 0x02014b50) {
        inputError(file, undefined, undefined, `zip central directory entry ${k} is damaged`);
      }
      const nameLen = dir.readUInt16LE(at + 28);
      const name = dir.subarray(at + 46, at + 46 + nameLen).toString('utf8');
      const m: ZipMember = {
        name,
        method: dir.readUInt16LE(at + 10),
        crc32: dir.readUInt32LE(at + 16),
        compressedSize: dir.readUInt32LE(at + 20),
        size: dir.readUInt32LE(at + 24),
        localOffset: dir.readUInt32LE(at + 42),
      };
      if (m.size === 0xffffffff || m.compressedSize === 0xffffffff || m.localOffset === 0xffffffff) {
        inputError(file, undefined, undefined, `member ${name} needs ZIP64, not supported`);
      }
      // A member must land inside the folder it is extracted into.
      if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
        inputError(
          file,
          undefined,
          undefined,
          `member name ${JSON.stringify(name)} points outside the archive's folder`,
        );
      }
      out.push(m);
      at += 46 + nameLen + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Stream every member of a zip file through inflate and its CRC-32 check, writing it under destDir unless
 * `verifyOnly`. Never holds a member in memory. A CRC or size that disagrees with the central directory is a
 * DATA_CHECKSUM error naming the member.
 */
export async function extractZip(
  file: string,
  destDir: string | undefined,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): Promise<ZipMember[]> {
  const members = zipMembers(file);
  const total = members.reduce((a, m) => a + m.compressedSize, 0);
  let done = 0;
  const fd = openSync(file, 'r');
  try {
    for (const m of members) {
      const isDir = m.name.endsWith('/');
      const dest = destDir === undefined ? undefined : join(destDir, m.name);
      if (isDir) {
        if (dest) mkdirSync(dest, { recursive: true });
        continue;
      }
      const head = readAt(fd, 30, m.localOffset);
      if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50) {
        inputError(file, undefined, undefined, `zip member ${m.name}: damaged local header`);
      }
      const start = m.localOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
      if (m.method !== 0 && m.method !== 8) {
        inputError(file, undefined, undefined, `zip member ${m.name}: compression method ${m.method} is not supported`);
      }
      const raw = createReadStream(file, { start, end: start + m.compressedSize - 1, highWaterMark: 1 << 20 });
      const stream = m.method === 8 ? raw.pipe(createInflateRaw()) : raw;
      if (stream !== raw) raw.on('error', (e) => stream.destroy(e));
      raw.on('data', (c: string | Buffer) => {
        done += c.length;
        onProgress?.(done, total);
      });
      if (dest) mkdirSync(dirname(dest), { recursive: true });
      const out = dest ? openSync(dest, 'w') : undefined;
      let crc = 0;
      let size = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          crc = crc32(chunk, crc);
          size += chunk.length;
          if (out !== undefined) {
            let off = 0;
            while (off < chunk.length) off += writeSync(out, chunk, off, chunk.length - off);
          }
        }
      } catch (e) {
        throw new GnnopsError(
          ErrorCodes.DATA_CHECKSUM,
          `${file}: zip member ${m.name} does not inflate (${(e as Error).message}): a truncated or damaged archive`,
          { file, member: m.name },
        );
      } finally {
        if (out !== undefined) closeSync(out);
      }
      if (size !== m.size || crc >>> 0 !== m.crc32) {
        throw new GnnopsError(
          ErrorCodes.DATA_CHECKSUM,
          `${file}: zip member ${m.name} fails verification: ${size} bytes with CRC-32 ${(crc >>> 0).toString(16).padStart(8, '0')}, the archive says ${m.size} bytes with ${m.crc32.toString(16).padStart(8, '0')} (a truncated or different file)`,
          { file, member: m.name },
        );
      }
    }
  } finally {
    closeSync(fd);
  }
  return members;
}

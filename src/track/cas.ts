import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256, writeFileAtomic } from '../util/fs.js';

/** A blob stored in the content-addressed folder. */
export interface BlobRef {
  /** Lower-case hex SHA-256 of the content. */
  digest: string;
  size: number;
  /** Absolute path of the stored file. */
  path: string;
}

const DIGEST = /^[0-9a-f]{64}$/;
const CHUNK = 1 << 20;

/** fsync a directory so that a rename inside it survives a power loss, not just a process crash. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Content-addressed artifact store: `<root>/sha256/ab/cdef…` holds the blob whose SHA-256 is `abcdef…`.
 * Blobs are immutable and deduplicated. A write goes to a sibling temp file, is fsynced, then renamed into
 * place, so a crash leaves either no file or the complete one (plus, at worst, a `*.tmp-<pid>-*` leftover
 * that `cleanTemp()` removes).
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** Path of the blob with this digest (whether or not it exists). */
  pathOf(digest: string): string {
    if (!DIGEST.test(digest)) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `artifact digest "${digest}" is not 64 hex characters`, {
        digest,
      });
    }
    return join(this.root, 'sha256', digest.slice(0, 2), digest.slice(2));
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Store bytes; returns the existing blob when the content is already there. */
  putBytes(data: Uint8Array): BlobRef {
    const digest = sha256(data);
    const path = this.pathOf(digest);
    if (!this.#complete(path, data.byteLength)) {
      writeFileAtomic(path, data);
      fsyncDir(dirname(path));
    }
    return { digest, size: data.byteLength, path };
  }

  /** Store a file by streaming it through the hash into a temp file, then renaming it to its digest. */
  putFile(src: string): BlobRef {
    if (!existsSync(src)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `artifact file not found: ${src}`, { path: src });
    }
    const tmpDir = join(this.root, 'sha256');
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    const inFd = openSync(src, 'r');
    const outFd = openSync(tmp, 'w');
    let size = 0;
    try {
      for (;;) {
        const n = readSync(inFd, buf, 0, CHUNK, null);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        let off = 0;
        while (off < n) off += writeSync(outFd, buf, off, n - off);
        size += n;
      }
      fsyncSync(outFd);
    } finally {
      closeSync(inFd);
      closeSync(outFd);
    }
    const digest = hash.digest('hex');
    const path = this.pathOf(digest);
    if (this.#complete(path, size)) {
      unlinkSync(tmp);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      renameSync(tmp, path);
      fsyncDir(dirname(path));
    }
    return { digest, size, path };
  }

  /** Size in bytes of a stored blob (NOT_FOUND when missing). */
  size(digest: string): number {
    try {
      return statSync(this.pathOf(digest)).size;
    } catch {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `artifact ${digest} is missing from ${this.root}`, { digest });
    }
  }

  read(digest: string): Buffer {
    const path = this.pathOf(digest);
    if (!existsSync(path)) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `artifact ${digest} is missing from ${this.root}`, { digest });
    }
    return readFileSync(path);
  }

  /** Re-hash a blob: true when the file exists and its content matches its name. */
  verify(digest: string): boolean {
    const path = this.pathOf(digest);
    if (!existsSync(path)) return false;
    return sha256(readFileSync(path)) === digest;
  }

  /** Remove temp files left by processes that are no longer alive. Returns how many were removed. */
  cleanTemp(): number {
    const base = join(this.root, 'sha256');
    if (!existsSync(base)) return 0;
    let removed = 0;
    const dirs = [base, ...readdirSync(base).map((d) => join(base, d))].filter((d) => statSync(d).isDirectory());
    for (const dir of dirs) {
      for (const name of readdirSync(dir)) {
        const m = /\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
        if (m && !pidAlive(Number(m[1]))) {
          unlinkSync(join(dir, name));
          removed++;
        }
      }
    }
    return removed;
  }

  #complete(path: string, size: number): boolean {
    try {
      return statSync(path).size === size;
    } catch {
      return false;
    }
  }
}

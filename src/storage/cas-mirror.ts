import type { ArtifactStore } from '../track/cas.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256 } from '../util/fs.js';
import type { ObjectStorage } from './types.js';

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Mirrors the tracking store's content-addressed blobs (src/track/cas.ts) to an object store under the same layout,
 * `sha256/ab/cdef…`, so a bucket holds the artifacts of many machines and any of them can fetch a missing blob.
 * Blobs are immutable: a push skips keys that already exist; a pull verifies the SHA-256 before storing locally.
 */
export class CasMirror {
  constructor(
    readonly cas: ArtifactStore,
    readonly remote: ObjectStorage,
  ) {}

  static keyOf(digest: string): string {
    if (!DIGEST.test(digest)) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `digest ${JSON.stringify(digest)}: expected 64 hex digits`);
    }
    return `sha256/${digest.slice(0, 2)}/${digest.slice(2)}`;
  }

  /** Upload the local blob unless the remote has it; returns true when bytes were sent. */
  async push(digest: string): Promise<boolean> {
    const key = CasMirror.keyOf(digest);
    if (await this.remote.exists(key)) return false;
    await this.remote.put(key, this.cas.read(digest));
    return true;
  }

  /** Make the blob present locally, downloading and verifying it when missing; returns true when downloaded. */
  async pull(digest: string): Promise<boolean> {
    if (this.cas.has(digest)) return false;
    const bytes = await this.remote.get(CasMirror.keyOf(digest));
    const got = sha256(bytes);
    if (got !== digest) {
      throw new GnnopsError(
        ErrorCodes.CACHE_CORRUPT,
        `storage (${this.remote.kind}): blob ${digest} has SHA-256 ${got}; refusing to store it`,
        { digest, got },
      );
    }
    this.cas.putBytes(bytes);
    return true;
  }

  /** Digests stored remotely (read from the key layout). */
  async remoteDigests(): Promise<string[]> {
    return (await this.remote.list('sha256/')).map((k) => k.slice(7).replace('/', '')).filter((d) => DIGEST.test(d));
  }
}

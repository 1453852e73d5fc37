import type { StorageConfig } from '../config/sections/storage.js';
import type { ArtifactStore } from '../track/cas.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';
import { artifactMirror } from './index.js';

/**
 * Copy blobs of the workspace to the shared artifact storage, when one is configured (GNNOPS_STORAGE_URL or the
 * `storage` section); blobs already there are skipped. Returns how many were sent, or null with no shared storage.
 */
export async function publishBlobs(
  cas: ArtifactStore,
  digests: Iterable<string | null | undefined>,
  config?: StorageConfig,
): Promise<{ sent: number; total: number } | null> {
  const mirror = artifactMirror(cas, config);
  if (!mirror) return null;
  const unique = [...new Set([...digests].filter((d): d is string => typeof d === 'string' && d !== ''))];
  let sent = 0;
  for (const d of unique) if (await mirror.push(d)) sent++;
  log.debug({ storage: mirror.remote.kind, sent, total: unique.length }, 'artifacts published');
  return { sent, total: unique.length };
}

/**
 * Make blobs a registered version needs present in this workspace: those missing are fetched from the shared
 * artifact storage and stored only when their SHA-256 matches the digest the registry recorded.
 */
export async function fetchMissingBlobs(
  cas: ArtifactStore,
  digests: Iterable<string | null | undefined>,
  config?: StorageConfig,
  what = 'artifact',
): Promise<number> {
  const missing = [...new Set([...digests])].filter(
    (d): d is string => typeof d === 'string' && d !== '' && !cas.has(d),
  );
  if (missing.length === 0) return 0;
  const mirror = artifactMirror(cas, config);
  if (!mirror) {
    throw new GnnopsError(
      ErrorCodes.NOT_FOUND,
      `${what} sha256 ${missing[0]} is not in this workspace (${cas.root}) and no shared artifact storage is configured: set GNNOPS_STORAGE_URL (file:///PATH or s3://BUCKET/PREFIX) or the storage section`,
      { digest: missing[0] },
    );
  }
  for (const d of missing) {
    try {
      await mirror.pull(d);
    } catch (e) {
      if (e instanceof GnnopsError && e.code === ErrorCodes.NOT_FOUND)
        throw new GnnopsError(
          ErrorCodes.NOT_FOUND,
          `${what} sha256 ${d} is neither in this workspace nor in the shared storage (${mirror.remote.kind}): it was registered from a workspace that had no shared storage configured`,
          { digest: d },
        );
      throw e;
    }
  }
  log.info({ storage: mirror.remote.kind, fetched: missing.length }, 'artifacts fetched from shared storage');
  return missing.length;
}

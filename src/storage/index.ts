import { join } from 'node:path';
import type { StorageConfig } from '../config/sections/storage.js';
import type { ArtifactStore } from '../track/cas.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { gnnopsHome } from '../util/home.js';
import { CasMirror } from './cas-mirror.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { ObjectStorage } from './types.js';
import { parseStorageUrl } from './url.js';

export { CasMirror } from './cas-mirror.js';
export { checkKey } from './keys.js';
export { LocalStorage } from './local.js';
export { S3Storage, type S3StorageOptions } from './s3.js';
export type { ObjectStorage } from './types.js';
export { parseStorageUrl } from './url.js';

/**
 * The backend the `storage` config section selects: `local` → files under `storage.root` (default
 * `<GNNOPS_HOME>/objects`); `s3` → the bucket (`storage.bucket` required) through the AWS SDK's credential chain.
 */
export function openStorage(config: StorageConfig, home = gnnopsHome()): ObjectStorage {
  if (config.backend === 'local') return new LocalStorage(config.root ?? join(home, 'objects'), config.prefix);
  if (!config.bucket) {
    throw new GnnopsError(ErrorCodes.CONFIG_INVALID, 'storage.bucket: required when storage.backend is "s3"', {
      field: 'storage.bucket',
    });
  }
  return new S3Storage({
    bucket: config.bucket,
    prefix: config.prefix,
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.force_path_style,
  });
}

/**
 * The shared artifact storage this process should use, or null when artifacts stay in the workspace alone:
 * `GNNOPS_STORAGE_URL` when set, else the `storage` section when it names somewhere other than the workspace
 * (backend s3, or local with a root such as a shared volume).
 */
export function sharedStorage(config: StorageConfig | undefined, env = process.env): ObjectStorage | null {
  const url = env.GNNOPS_STORAGE_URL?.trim();
  if (url) return openStorage(parseStorageUrl(url));
  if (config && (config.backend === 's3' || config.root)) return openStorage(config);
  return null;
}

/** The workspace's artifact store mirrored to the shared storage, or null when there is none. */
export function artifactMirror(cas: ArtifactStore, config?: StorageConfig, env = process.env): CasMirror | null {
  const remote = sharedStorage(config, env);
  return remote ? new CasMirror(cas, remote) : null;
}

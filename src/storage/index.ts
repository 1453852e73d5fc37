import { join } from 'node:path';
import type { StorageConfig } from '../config/sections/storage.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { gnnopsHome } from '../util/home.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { ObjectStorage } from './types.js';

export { CasMirror } from './cas-mirror.js';
export { checkKey } from './keys.js';
export { LocalStorage } from './local.js';
export { S3Storage, type S3StorageOptions } from './s3.js';
export type { ObjectStorage } from './types.js';

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

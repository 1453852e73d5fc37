import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageConfig } from '../config/sections/storage.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/**
 * `GNNOPS_STORAGE_URL` as the `storage` section it stands for, so one shape reaches `openStorage` whichever way the
 * user said it:
 * - `file:///abs/path` → backend local, root /abs/path;
 * - `s3://bucket[/prefix]` with optional query `endpoint=URL`, `region=R`, `path_style=true` → backend s3
 *   (MinIO and most local servers want path_style; GCS takes endpoint=https://storage.googleapis.com, region=auto).
 * Credentials never travel in the URL: the AWS SDK's own chain supplies them.
 */
export function parseStorageUrl(raw: string, source = 'GNNOPS_STORAGE_URL'): StorageConfig {
  const fail = (why: string): never => {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      `${source}: ${why} (expected file:///PATH or s3://BUCKET/PREFIX)`,
      {
        field: source,
      },
    );
  };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return fail(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol === 'file:') {
    if (u.host) fail(`file URLs name no host (${JSON.stringify(u.host)}); write file:///PATH`);
    const root = fileURLToPath(u);
    if (!isAbsolute(root)) fail('the path must be absolute');
    return { backend: 'local', root, prefix: '', region: 'us-east-1', force_path_style: false };
  }
  if (u.protocol === 's3:') {
    if (u.username || u.password) fail('credentials do not go in the URL; use the AWS SDK environment or profile');
    const bucket = u.hostname;
    if (bucket.length < 3) fail(`bucket name ${JSON.stringify(bucket)} is shorter than 3 characters`);
    const known = new Set(['endpoint', 'region', 'path_style']);
    for (const k of u.searchParams.keys()) if (!known.has(k)) fail(`unknown option ${JSON.stringify(k)}`);
    const endpoint = u.searchParams.get('endpoint') ?? undefined;
    if (endpoint !== undefined && !URL.canParse(endpoint)) fail(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
    const pathStyle = u.searchParams.get('path_style');
    if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false')
      fail(`path_style must be true or false, got ${JSON.stringify(pathStyle)}`);
    return {
      backend: 's3',
      bucket,
      prefix: decodeURIComponent(u.pathname.replace(/^\/+/, '')),
      endpoint,
      region: u.searchParams.get('region') ?? 'us-east-1',
      force_path_style: pathStyle === 'true',
    };
  }
  return fail(`unsupported scheme ${JSON.stringify(u.protocol)}`);
}

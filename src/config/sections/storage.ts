import { z } from 'zod';

export const StorageBackends = ['local', 's3'] as const;

/**
 * Where artifacts (checkpoints, profiles, reports) are kept. `local` = the workspace folder (default); `s3` = any
 * S3-compatible object store: AWS S3, MinIO, or Google Cloud Storage through its XML API
 * (endpoint https://storage.googleapis.com with HMAC keys). Credentials come from the AWS SDK's usual sources
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile, instance metadata), never from this file.
 */
export const storageSection = z
  .strictObject({
    backend: z.enum(StorageBackends).default('local').describe('Artifact storage backend: local | s3.'),
    root: z.string().min(1).optional().describe('local: folder holding the objects (default `$GNNOPS_HOME/objects`).'),
    bucket: z.string().min(3).max(255).optional().describe('s3: bucket name (required for backend=s3).'),
    prefix: z
      .string()
      .max(512)
      .default('')
      .describe('Key prefix under which every object is stored (e.g. "gnnops/"); applies to both backends.'),
    endpoint: z
      .url()
      .optional()
      .describe('s3: endpoint URL for S3-compatible stores (MinIO, GCS https://storage.googleapis.com).'),
    region: z.string().min(1).default('us-east-1').describe('s3: region ("auto" for GCS).'),
    force_path_style: z
      .boolean()
      .default(false)
      .describe('s3: address buckets as `endpoint/bucket` (MinIO and most local servers need it).'),
  })
  .describe(
    'Artifact object storage (local folder or S3-compatible bucket). Validated but not yet read by any command: artifacts stay in the workspace until shared storage is wired in.',
  );

export type StorageConfig = z.infer<typeof storageSection>;

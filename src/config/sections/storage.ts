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
    root: z
      .string()
      .min(1)
      .optional()
      .describe('local: the shared folder holding the objects (unset: artifacts stay in the workspace alone).'),
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
    'Shared artifact storage (a folder on a shared volume, or an S3-compatible bucket); GNNOPS_STORAGE_URL (file:///PATH or s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=true) takes precedence. With backend local and no root, artifacts stay in the workspace alone. When set, training and registration copy checkpoints, profiles, reports and charts there, and a workspace missing a registered artifact fetches it and verifies its SHA-256.',
  );

export type StorageConfig = z.infer<typeof storageSection>;

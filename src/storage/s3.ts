import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { checkKey, normalisePrefix } from './keys.js';
import type { ObjectStorage } from './types.js';

export interface S3StorageOptions {
  bucket: string;
  prefix?: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); otherwise the SDK's default chain (env, profile, instance metadata). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** An existing client (shares connections); the other connection options are then ignored. */
  client?: S3Client;
  /** Keys per ListObjectsV2 page (S3's maximum and default: 1000). */
  listPageSize?: number;
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Objects in an S3-compatible bucket at `<prefix><key>`. A PUT of a whole object is atomic on S3, so readers see the
 * old or the new bytes. Works with AWS S3, MinIO, s3rver and GCS's XML API (HMAC keys).
 */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3';
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly pageSize: number;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.prefix = normalisePrefix(opts.prefix ?? '');
    const cfg: S3ClientConfig = {
      region: opts.region ?? 'us-east-1',
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials: opts.credentials,
      // GCS's XML API rejects the SDK's default CRC checksums on PUT; send them only where an operation needs one
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = opts.client ?? new S3Client(cfg);
    this.pageSize = opts.listPageSize ?? 1000;
  }

  private fail(op: string, key: string, e: unknown): never {
    const status = statusOf(e);
    throw new GnnopsError(
      ErrorCodes.REMOTE_FAILED,
      `storage (s3): ${op} s3://${this.bucket}/${this.prefix}${key} failed${status ? ` with HTTP ${status}` : ''}: ${(e as Error).message}`,
      { bucket: this.bucket, key, status },
    );
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    checkKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: data }));
    } catch (e) {
      this.fail('put', key, e);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    checkKey(key);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!r.Body) return new Uint8Array(0);
      return await r.Body.transformToByteArray();
    } catch (e) {
      if (statusOf(e) === 404 || (e as Error).name === 'NoSuchKey') {
        throw new GnnopsError(
          ErrorCodes.NOT_FOUND,
          `storage (s3): no object at key ${JSON.stringify(key)} in s3://${this.bucket}/${this.prefix}`,
          { bucket: this.bucket, key },
        );
      }
      this.fail('get', key, e);
    }
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return true;
    } catch (e) {
      if (statusOf(e) === 404 || (e as Error).name === 'NotFound') return false;
      this.fail('head', key, e);
    }
  }

  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ContinuationToken: token,
            MaxKeys: this.pageSize,
          }),
        );
        for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      this.fail('list', prefix, e);
    }
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (e) {
      if (statusOf(e) === 404) return;
      this.fail('delete', key, e);
    }
  }

  /** Close the client's sockets (tests; long-lived processes keep it). */
  destroy(): void {
    this.client.destroy();
  }
}

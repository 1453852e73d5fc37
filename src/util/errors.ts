/**
 * One registry of user-facing error codes. Every error a user can provoke (bad config, bad data, bad request)
 * is a GnnopsError with a code from here, so the CLI and the server can report it without a stack trace.
 */
export const ErrorCodes = Object.freeze({
  CONFIG_INVALID: 'E_CONFIG_INVALID',
  CONFIG_UNKNOWN_KEY: 'E_CONFIG_UNKNOWN_KEY',
  DATA_INVALID: 'E_DATA_INVALID',
  DATA_NOT_FOUND: 'E_DATA_NOT_FOUND',
  DATA_CHECKSUM: 'E_DATA_CHECKSUM',
  DOWNLOAD_FAILED: 'E_DOWNLOAD_FAILED',
  PICKLE_UNSUPPORTED: 'E_PICKLE_UNSUPPORTED',
  CACHE_CORRUPT: 'E_CACHE_CORRUPT',
  NOT_FOUND: 'E_NOT_FOUND',
  INVALID_ARGUMENT: 'E_INVALID_ARGUMENT',
  CHECKPOINT_INVALID: 'E_CHECKPOINT_INVALID',
  CONFLICT: 'E_CONFLICT',
  UNAUTHORIZED: 'E_UNAUTHORIZED',
  FORBIDDEN: 'E_FORBIDDEN',
  BAD_REQUEST: 'E_BAD_REQUEST',
  LIMIT_EXCEEDED: 'E_LIMIT_EXCEEDED',
  UNSUPPORTED_MEDIA_TYPE: 'E_UNSUPPORTED_MEDIA_TYPE',
  MODEL_NOT_READY: 'E_MODEL_NOT_READY',
  NOT_AVAILABLE: 'E_NOT_AVAILABLE',
  REMOTE_FAILED: 'E_REMOTE_FAILED',
  INTERNAL: 'E_INTERNAL',
} as const);

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class GnnopsError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable context (the field, the index, the limit ...). */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'GnnopsError';
    this.code = code;
    this.details = details;
  }
}

export function isGnnopsError(e: unknown): e is GnnopsError {
  return e instanceof GnnopsError;
}

/** Throws DATA_INVALID naming the field (and index) that is wrong. */
export function dataError(field: string, message: string, details?: Record<string, unknown>): never {
  throw new GnnopsError(ErrorCodes.DATA_INVALID, `${field}: ${message}`, { field, ...details });
}

/**
 * Backend selection. `createBackend` builds one; `getBackend()` returns the process-wide instance (created on first
 * use from GNNOPS_BACKEND / GNNOPS_THREADS, default wasm on all cores) and `setBackend()` replaces it, e.g. from
 * the config's `train.backend` and `train.threads`.
 */
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { ReferenceBackend } from './reference.js';
import type { Backend, BackendName, DType } from './types.js';
import { WasmBackend } from './wasm.js';

export type { Backend, BackendName, Csr, DType, FArray } from './types.js';

export interface BackendOptions {
  /** Kernel implementation (default 'wasm'). */
  name?: BackendName;
  /** Threads including the main thread; 0 or undefined = os.availableParallelism(). wasm only. */
  threads?: number;
  /** Storage type (default 'f32'); 'f64' needs the reference backend. */
  dtype?: DType;
}

export function createBackend(opts: BackendOptions = {}): Backend {
  const name = opts.name ?? 'wasm';
  const dtype = opts.dtype ?? 'f32';
  if (name === 'reference') return new ReferenceBackend(dtype);
  if (name !== 'wasm') {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `backend: unknown name '${String(name)}' (wasm | reference)`, {
      field: 'backend',
      value: name,
    });
  }
  if (dtype !== 'f32') {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `backend: dtype '${dtype}' is not supported by the wasm backend (f32 only; use reference for f64)`,
      { field: 'dtype', value: dtype },
    );
  }
  return new WasmBackend({ threads: opts.threads });
}

let current: Backend | undefined;

/** Options from the environment: GNNOPS_BACKEND (wasm | reference) and GNNOPS_THREADS. */
export function backendOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BackendOptions {
  const name = env.GNNOPS_BACKEND;
  if (name !== undefined && name !== 'wasm' && name !== 'reference') {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `GNNOPS_BACKEND: '${name}' is not wasm or reference`, {
      field: 'GNNOPS_BACKEND',
      value: name,
    });
  }
  const threads = env.GNNOPS_THREADS === undefined ? undefined : Number(env.GNNOPS_THREADS);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 64)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `GNNOPS_THREADS: '${env.GNNOPS_THREADS}' is not 0..64`, {
      field: 'GNNOPS_THREADS',
      value: env.GNNOPS_THREADS,
    });
  }
  return { name, threads };
}

/** The process-wide backend, created on first use from the environment. */
export function getBackend(): Backend {
  current ??= createBackend(backendOptionsFromEnv());
  return current;
}

/**
 * Replaces the process-wide backend (disposing the previous one unless it is the same object). Pass options to
 * build one, e.g. `setBackend({ name: cfg.train.backend, threads: cfg.train.threads })`; GNNOPS_BACKEND, when set,
 * wins over the config so a run can be switched without editing it.
 */
export function setBackend(b: Backend | BackendOptions): Backend {
  const next =
    'gemm' in b ? b : createBackend({ ...b, name: (process.env.GNNOPS_BACKEND as BackendName | undefined) ?? b.name });
  if (current && current !== next) current.dispose();
  current = next;
  return next;
}

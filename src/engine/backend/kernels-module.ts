/**
 * Locates and compiles build/kernels.wasm once per process. The URL is relative to this file, and
 * src/engine/backend and dist/engine/backend sit at the same depth below the repository root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { type WasmModule, wasmApi } from './wasm-api.js';

const WASM_URL = new URL('../../../build/kernels.wasm', import.meta.url);

let cached: WasmModule | undefined;

/** Path of the compiled kernels. */
export function kernelsWasmPath(): string {
  return fileURLToPath(WASM_URL);
}

/**
 * The compiled kernels module; throws NOT_FOUND with the build command when the file is missing. The default path
 * is compiled once per process; another path (tests) is read every time.
 */
export function kernelsModule(path = kernelsWasmPath()): WasmModule {
  const isDefault = path === kernelsWasmPath();
  if (isDefault && cached) return cached;
  if (!existsSync(path)) {
    throw new GnnopsError(
      ErrorCodes.NOT_FOUND,
      `kernels: ${path} is missing; run \`npm run build:kernels\` (or use backend=reference)`,
      { field: 'train.backend', path },
    );
  }
  const module = new wasmApi.Module(readFileSync(path));
  if (isDefault) cached = module;
  return module;
}

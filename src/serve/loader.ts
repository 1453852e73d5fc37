import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { LoadOptions, ServedModel } from './model.js';

/**
 * The seam between the server and the model code. Until the models/trainer land, both functions fail with
 * E_NOT_AVAILABLE; the real implementations replace the bodies:
 * - `loadServedModel`: registry reference or checkpoint → GCN forward (native engine or ONNX) wrapped as a
 *   ServedModel (name, version, class names, stored graph, metrics and lineage from the registry);
 * - `resolveModelRef`: `NAME@ALIAS` → `NAME/VERSION` via the registry (the hot-reload watcher polls it);
 *   `NAME/VERSION` and checkpoint paths resolve to themselves.
 */
export async function loadServedModel(ref: string, opts: LoadOptions = {}): Promise<ServedModel> {
  throw new GnnopsError(
    ErrorCodes.NOT_AVAILABLE,
    `cannot load model "${ref}" (runtime ${opts.runtime ?? 'native'}): the model loader is not available yet ` +
      '(src/serve/loader.ts is a seam waiting for the trained models)',
    { ref },
  );
}

export async function resolveModelRef(ref: string): Promise<string> {
  if (!ref.includes('@')) return ref;
  throw new GnnopsError(
    ErrorCodes.NOT_AVAILABLE,
    `cannot resolve "${ref}": the model registry is not available yet (src/serve/loader.ts)`,
    { ref },
  );
}

import { existsSync } from 'node:fs';
import { Registry } from '../registry/index.js';
import type { ModelVersion } from '../registry/types.js';
import { openStore } from '../track/store.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { LoadOptions, ServedModel } from './model.js';

/**
 * The seam between the server and the model code.
 * - `loadServedModel`: registry reference or checkpoint path → GCN forward (native engine or ONNX) wrapped as a
 *   ServedModel. Until the models/trainer land it fails with E_NOT_AVAILABLE; the real implementation replaces its
 *   body (resolve with `registryVersion`, read `checkpointPath`, fill `info` with `lineageOf`). For
 *   `runtime: 'onnx'`, export the weights with `exportGcnOnnx` (onnx/gcn.ts) and wrap with `onnxServedModel`
 *   (onnx/served-model.ts); for the native engine, precompute the full-graph output at load so node queries are
 *   row lookups, as onnxServedModel does.
 * - `resolveModelRef`: what the hot-reload watcher polls: `NAME@ALIAS` → `NAME/VERSION` through the registry;
 *   an existing file path resolves to itself.
 */
export async function loadServedModel(ref: string, opts: LoadOptions = {}): Promise<ServedModel> {
  throw new GnnopsError(
    ErrorCodes.NOT_AVAILABLE,
    `cannot load model "${ref}" (runtime ${opts.runtime ?? 'native'}): the model loader is not available yet ` +
      '(src/serve/loader.ts is a seam waiting for the trained models)',
    { ref },
  );
}

let registry: Registry | undefined;

/** The workspace registry, opened once per process (read-mostly: the server only resolves refs). */
function registryOf(): Registry {
  registry ??= new Registry(openStore({ recover: false }));
  return registry;
}

/** The registry version a ref names (`NAME@ALIAS`, `NAME/VERSION`, `NAME/latest`, `models:/…`). */
export function registryVersion(ref: string): ModelVersion {
  return registryOf().resolve(ref);
}

/** Refs that name a file rather than a registered model. */
const PATH_LIKE = /^(\.{0,2}\/|~\/)|\.(safetensors|ckpt|pt|onnx|json|bin)$/i;

export async function resolveModelRef(ref: string): Promise<string> {
  if (existsSync(ref)) return ref;
  if (PATH_LIKE.test(ref)) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `checkpoint file not found: ${ref}`, { ref });
  }
  const v = registryVersion(ref);
  return `${v.model}/${v.version}`;
}

/** The lineage GET /v1/models shows for a registered version. */
export function lineageOf(v: ModelVersion): Record<string, unknown> {
  return {
    run_id: v.runId,
    dataset: v.datasetName,
    dataset_hash: v.datasetHash,
    git_sha: v.gitSha,
    git_dirty: v.gitDirty,
    checkpoint_digest: v.checkpointDigest,
    created_at: new Date(v.createdAt).toISOString(),
    created_by: v.createdBy,
    aliases: v.aliases,
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { GraphData } from '../data/graph.js';
import { loadDataset } from '../data/load.js';
import { type LoadedCheckpoint, readCheckpoint } from '../nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../nn/export/onnx/gcn.js';
import { registeredTemperature } from '../registry/calibration.js';
import { versionEntity } from '../registry/entities.js';
import { Registry } from '../registry/index.js';
import type { ModelVersion } from '../registry/types.js';
import { fetchMissingBlobs } from '../storage/sync.js';
import { openStore, type Store } from '../track/store.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256 } from '../util/fs.js';
import { log } from '../util/logger.js';
import type { LoadOptions, ServedModel } from './model.js';
import { loadPredictor } from './native/predictor.js';
import { onnxServedModel } from './onnx/served-model.js';

/**
 * The seam between the server and the model code.
 * - `loadServedModel`: registry reference or checkpoint path → the model's forward pass wrapped as a ServedModel:
 *   the native engine (`loadPredictor`, full-graph probabilities computed once at load so node queries are row
 *   lookups) or, with `runtime: 'onnx'`, the GCN exported to ONNX and run by onnxruntime-node.
 * - `resolveModelRef`: what the hot-reload watcher polls: `NAME@ALIAS` → `NAME/VERSION` through the registry;
 *   an existing file path resolves to itself. `followRegistry` tells the watcher when to resolve again at once.
 */
export async function loadServedModel(ref: string, opts: LoadOptions = {}): Promise<ServedModel> {
  let path: string;
  let name: string | undefined;
  let version: string | undefined;
  let info: ServedModel['info'] | undefined;
  let temperature: number | null = null;
  if (existsSync(ref)) path = ref;
  else if (PATH_LIKE.test(ref))
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `checkpoint file not found: ${ref}`, { ref });
  else {
    const v = await registryVersion(ref);
    // A workspace that shares only the registry fetches the checkpoint and drift profile it needs, digest-checked.
    await fetchMissingBlobs(
      (await workspaceOf()).store.cas,
      [v.checkpointDigest, v.referenceProfileDigest],
      opts.storage,
      `${v.model}/${v.version}`,
    );
    path = v.checkpointPath;
    name = v.model;
    version = String(v.version);
    info = { metrics: v.metrics, lineage: lineageOf(v) };
    temperature = registeredTemperature(v);
  }
  let ckpt: LoadedCheckpoint;
  try {
    ckpt = readCheckpoint(path);
  } catch (e) {
    if (e instanceof GnnopsError && !e.message.includes(path))
      throw new GnnopsError(e.code, `${path}: ${e.message}`, { ...e.details, path });
    throw e;
  }
  // The stored graph enables by-node queries; a model whose data cannot be loaded still serves subgraphs.
  let graph: GraphData | undefined;
  try {
    graph = await loadDataset(ckpt.meta.config.data, { progress: false });
  } catch (e) {
    log.warn({ ref, err: (e as Error).message }, 'serving without the dataset graph: only /predict subgraphs work');
  }
  // A bare checkpoint carries no fitted temperature unless its metrics do; such a model is served raw (T = 1).
  temperature ??= registeredTemperature(ckpt.meta);
  const T = temperature ?? 1;
  // One identity whatever the runtime: the registry version, or for a bare file the checkpoint's own digest.
  name ??= basename(path).replace(/\.safetensors$/, '');
  version ??= checkpointIdentity(path);
  if (opts.runtime === 'onnx') {
    return onnxServedModel({
      name,
      version,
      model: exportGcnOnnx(gcnWeightsFromCheckpoint(ckpt), {}, { temperature: T }),
      temperature: T,
      numFeatures: ckpt.meta.dims.numFeatures,
      numClasses: ckpt.meta.dims.numClasses,
      ...(ckpt.meta.classNames ? { classNames: [...ckpt.meta.classNames] } : {}),
      ...(graph ? { graph } : {}),
      ...(info ? { info } : {}),
    });
  }
  return loadPredictor(path, graph, { name, version, info, temperature: T });
}

/** A bare checkpoint file's version: the first 12 hex digits of its sha256, as the native runtime names it. */
export function checkpointIdentity(path: string): string {
  return sha256(readFileSync(path)).slice(0, 12);
}

let workspace: Promise<{ store: Store; registry: Registry }> | undefined;

/**
 * The workspace store and registry, opened once per process (read-mostly: the server only resolves refs). A store
 * that could not be reached is opened again on the next call.
 */
function workspaceOf(): Promise<{ store: Store; registry: Registry }> {
  if (!workspace) {
    const opening = openStore({ recover: false }).then((store) => ({ store, registry: new Registry(store) }));
    opening.catch(() => {
      if (workspace === opening) workspace = undefined;
    });
    workspace = opening;
  }
  return workspace;
}

/** The registry version a ref names (`NAME@ALIAS`, `NAME/VERSION`, `NAME/latest`, `models:/…`). */
export async function registryVersion(ref: string): Promise<ModelVersion> {
  return (await workspaceOf()).registry.resolve(ref);
}

/**
 * Pushed notices of registry changes from every process on the workspace's store (PostgreSQL LISTEN): what lets
 * the hot-reload watcher swap at once instead of at its next poll. Null with SQLite, which does not push.
 */
export async function followRegistry(
  onChange: () => void,
  onReconnect: () => void,
): Promise<(() => Promise<void>) | null> {
  return (await workspaceOf()).registry.listen(onChange, onReconnect);
}

/** Refs that name a file rather than a registered model. */
const PATH_LIKE = /^(\.{0,2}\/|~\/)|\.(safetensors|ckpt|pt|onnx|json|bin)$/i;

export async function resolveModelRef(ref: string): Promise<string> {
  if (existsSync(ref)) return ref;
  if (PATH_LIKE.test(ref)) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `checkpoint file not found: ${ref}`, { ref });
  }
  const v = await registryVersion(ref);
  return `${v.model}/${v.version}`;
}

/**
 * The lineage GET /v1/models shows for a registered version. An optimisation variant (`gnnops models optimize`)
 * names its source in `variant_of` (NAME/VERSION or a checkpoint path) and its kind in `optimization`
 * (quantize | prune); both are null for a trained version. `tags` carries the rest (prune_fraction, quantize, …).
 */
export function lineageOf(v: ModelVersion): Record<string, unknown> {
  const j = versionEntity.toJson(v);
  return {
    variant_of: v.tags.variant_of ?? null,
    optimization: v.tags.optimization ?? null,
    description: j.description,
    tags: j.tags,
    run_id: j.run_id,
    dataset: j.dataset,
    dataset_hash: j.dataset_hash,
    git_sha: j.git_sha,
    git_dirty: j.git_dirty,
    checkpoint_digest: j.checkpoint_digest,
    // GET /v1/models gives times as ISO strings (loaded_at too), the dashboard API as Unix ms.
    created_at: new Date(v.createdAt).toISOString(),
    created_by: j.created_by,
    aliases: v.aliases,
  };
}

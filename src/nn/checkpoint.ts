/**
 * Checkpoints: one self-contained `.safetensors` file (weights + `__metadata__` with the model config, the resolved
 * training config, the dataset it was trained on and its metrics), plus a `.json` sidecar with the same metadata
 * for people and tools that do not read safetensors. Both are written atomically.
 *
 * Metadata keys (all strings, JSON-encoded where structured):
 *   format        "gnnops-checkpoint/1"
 *   model         model config section (JSON)         config   resolved full config (JSON)
 *   dims          {numFeatures, numClasses} (JSON)     dataset  {name, hash, synthetic?} (JSON)
 *   split         the split (WikiCS) or seed index (Planetoid) whose weights these are
 *   metrics       {test_acc, val_acc, ...} (JSON)      class_names  (JSON, optional)
 */
import { readFileSync } from 'node:fs';
import { type Config, configSchema } from '../config/schema.js';
import { Rng, type Tape } from '../engine/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { buildModel } from './models/build.js';
import type { ModelConfig, ModelDims, NodeModel } from './models/model.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'gnnops-checkpoint/1';

export interface CheckpointMeta {
  model: ModelConfig;
  config: Config;
  dims: ModelDims;
  dataset: { name: string; hash: string; synthetic?: boolean };
  split: number;
  metrics: Record<string, number>;
  classNames?: string[];
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  tensors: Map<string, NamedTensor>;
}

/** The sidecar path: `model.safetensors` → `model.json`. */
export function sidecarPath(path: string): string {
  return path.endsWith('.safetensors') ? `${path.slice(0, -'.safetensors'.length)}.json` : `${path}.json`;
}

export function encodeCheckpoint(model: NodeModel, meta: CheckpointMeta): Uint8Array {
  return encodeCheckpointState(model.stateDict(), meta);
}

/** Encodes a state dict (name → shape + values, in model order) with the checkpoint metadata. */
export function encodeCheckpointState(
  state: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>,
  meta: CheckpointMeta,
): Uint8Array {
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    model: JSON.stringify(meta.model),
    config: JSON.stringify(meta.config),
    dims: JSON.stringify(meta.dims),
    dataset: JSON.stringify(meta.dataset),
    split: String(meta.split),
    metrics: JSON.stringify(meta.metrics),
  };
  if (meta.classNames) metadata.class_names = JSON.stringify(meta.classNames);
  return encodeSafetensors(state, metadata);
}

/** Writes `path` (safetensors) and its JSON sidecar atomically; returns the safetensors bytes (for artifacts). */
export function saveCheckpoint(path: string, model: NodeModel, meta: CheckpointMeta): Uint8Array {
  return writeCheckpoint(path, encodeCheckpoint(model, meta), meta);
}

/** Writes encoded checkpoint bytes and the JSON sidecar atomically. */
export function writeCheckpoint(path: string, bytes: Uint8Array, meta: CheckpointMeta): Uint8Array {
  writeFileAtomic(path, bytes);
  writeFileAtomic(sidecarPath(path), `${JSON.stringify({ format: CHECKPOINT_FORMAT, ...meta }, null, 2)}\n`);
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): LoadedCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const bad = (msg: string): never => {
    throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, `${source}: ${msg}`, { source });
  };
  if (metadata.format !== CHECKPOINT_FORMAT)
    bad(`__metadata__.format is ${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"`);
  const parse = (key: string): unknown => {
    const raw = metadata[key];
    if (raw === undefined) bad(`__metadata__.${key} is missing`);
    try {
      return JSON.parse(raw as string);
    } catch {
      return bad(`__metadata__.${key} is not JSON`);
    }
  };
  const parsedConfig = configSchema.safeParse(parse('config'));
  if (!parsedConfig.success) bad(`__metadata__.config does not validate: ${parsedConfig.error.message}`);
  const config = parsedConfig.data as Config;
  const dims = parse('dims') as ModelDims;
  if (!(Number.isInteger(dims?.numFeatures) && Number.isInteger(dims?.numClasses)))
    bad('__metadata__.dims needs integer numFeatures and numClasses');
  const meta: CheckpointMeta = {
    model: config.model,
    config,
    dims,
    dataset: parse('dataset') as CheckpointMeta['dataset'],
    split: Number(metadata.split ?? 0),
    metrics: parse('metrics') as Record<string, number>,
  };
  if (metadata.class_names !== undefined) meta.classNames = parse('class_names') as string[];
  return { meta, tensors };
}

export function readCheckpoint(path: string): LoadedCheckpoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `checkpoint not found: ${path} (${(e as Error).message})`, { path });
  }
  return decodeCheckpoint(bytes, path);
}

/** Rebuilds the model a checkpoint describes on `tape` and loads its weights (names and shapes must match). */
/** The model of a checkpoint's meta with its weights, read from a file or still in memory after training. */
export interface CheckpointWeights {
  meta: CheckpointMeta;
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>;
}

export function restoreModel(tape: Tape, ckpt: CheckpointWeights): NodeModel {
  const model = buildModel(tape, new Rng(0), ckpt.meta.model, ckpt.meta.dims);
  model.loadStateDict(ckpt.tensors);
  return model;
}

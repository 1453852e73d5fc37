/**
 * Prepare the dataset a job needs, with the offline fallback of `gnnops start`: when a dataset that declares the
 * fallback (WikiCS) cannot be downloaded (no network and no mirror), a synthetic WikiCS-format graph from
 * `gnnops data synth` is generated once into the workspace and used instead, and the result says so (`fallback`),
 * so every report can label it as synthetic.
 * Other failures (bad data, checksum mismatch, another dataset offline) are not hidden: they are thrown.
 */
import { existsSync } from 'node:fs';
import { isBuiltinDataset } from '../config/sections/data.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { homePath } from '../util/home.js';
import { log } from '../util/logger.js';
import type { GraphData } from './graph.js';
import { type DataConfig, type LoadInfo, type LoadOptions, loadDatasetWithInfo } from './load.js';
import { sourceFor } from './sources.js';
import { SYNTH_VERSION, writeSynthetic } from './synth.js';

export interface SyntheticFallback {
  /** Why the requested dataset was not used (the download error message). */
  reason: string;
  /** The generated WikiCS-format file now used instead. */
  file: string;
  seed: number;
  nodes: number;
}

export interface PreparedData {
  graph: GraphData;
  info: LoadInfo;
  /** The data config actually used (data.file points at the synthetic file after a fallback). */
  config: DataConfig;
  fallback?: SyntheticFallback;
}

export interface PrepareOptions extends LoadOptions {
  /** Fall back to a synthetic WikiCS-format graph when WikiCS cannot be downloaded (default true). */
  allowSynthetic?: boolean;
  /** Seed and size of the fallback graph (defaults 1 and 11,701, WikiCS's size). */
  syntheticSeed?: number;
  syntheticNodes?: number;
}

/**
 * Path of the workspace's cached synthetic fallback graph. The file is always called `wikics-synthetic.json`, so
 * the dataset (named after the file's stem) and its model (`wikics-synthetic-gcn`) have short names a user can
 * type; the generator's parameters and version name the folder, so a new generator or size regenerates.
 */
export function syntheticFallbackPath(seed: number, nodes: number): string {
  return homePath('data', 'synthetic', `n${nodes}-seed${seed}-v${SYNTH_VERSION}`, 'wikics-synthetic.json');
}

export async function prepareDataset(cfg: DataConfig, opts: PrepareOptions = {}): Promise<PreparedData> {
  try {
    const { graph, info } = await loadDatasetWithInfo(cfg, opts);
    return { graph, info, config: cfg };
  } catch (e) {
    const offline = e instanceof GnnopsError && e.code === ErrorCodes.DOWNLOAD_FAILED;
    const declared = !cfg.file && isBuiltinDataset(cfg.name) ? sourceFor(cfg.name) : undefined;
    if (!offline || !declared?.offline.syntheticFallback || opts.allowSynthetic === false) throw e;
    const seed = opts.syntheticSeed ?? 1;
    const nodes = opts.syntheticNodes ?? 11701;
    const file = syntheticFallbackPath(seed, nodes);
    if (!existsSync(file)) {
      log.warn({ file }, 'generating a synthetic WikiCS-format graph as the offline fallback');
      writeSynthetic(file, { seed, nodes });
    }
    const config: DataConfig = { ...cfg, file };
    const { graph, info } = await loadDatasetWithInfo(config, opts);
    return { graph, info, config, fallback: { reason: e.message, file, seed, nodes } };
  }
}

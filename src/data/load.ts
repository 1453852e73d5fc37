/**
 * The one entry point the trainer and the server use to get a graph:
 * processed cache → (download or mirror → verify → parse in a worker → transform) → cache.
 *
 * Layout under the workspace (PyG's): `data/<name>/raw/` holds the verified raw files and
 * `data/<name>/processed/<variant>/` the processed cache, where variant = `undirected|directed` + `-rownorm`.
 * A `data.file` (any WikiCS-format file) is cached under `data/files/<stem>-<path hash>/processed/<variant>/`,
 * keyed by the file's path, size and modification time.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { DatasetNames, isBuiltinDataset } from '../config/sections/data.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { sha256 } from '../util/fs.js';
import { expandUser, homePath } from '../util/home.js';
import { log } from '../util/logger.js';
import { type CacheInput, clearCache, readCache, writeCache } from './cache.js';
import { type DatasetSource, pinOf } from './datasets/source.js';
import { type DownloadResult, downloadDataset } from './download.js';
import type { GraphData } from './graph.js';
import { importedDir, readImported } from './imported.js';
import { parseInWorker } from './parse-task.js';
import { sourceFor } from './sources.js';
import { normalizeFeatures } from './transforms.js';

/** Bumped when parsing or assembly changes, so old caches are rebuilt rather than trusted. */
export const PROCESSING_VERSION = 1;

export type DataConfig = Config['data'];

export interface LoadOptions {
  /** Overrides data.mirror / GNNOPS_DATA_MIRROR. */
  mirror?: string;
  /** Progress bars (default: stderr is a TTY). */
  progress?: boolean;
  /** Ignore an existing processed cache and rebuild it. */
  refresh?: boolean;
  /**
   * A dataset declaration to load instead of the built-in that data.name names (a library user's own dataset, or
   * a test's small one); it is cached under its own name.
   */
  source?: DatasetSource;
}

export interface LoadInfo {
  /** 'hit': served from the verified cache; 'built': parsed from raw data; 'rebuilt': the cache was corrupt. */
  cache: 'hit' | 'built' | 'rebuilt';
  cacheDir: string;
  rawDir?: string;
  download?: DownloadResult;
  /** Why the cache was rebuilt, when it was. */
  problem?: string;
  ms: number;
}

/** The declaration data.name names, when it names a built-in dataset (and no data.file replaces it). */
function declaredSource(cfg: DataConfig, opts: LoadOptions): DatasetSource | undefined {
  if (cfg.file) return undefined;
  return opts.source ?? (isBuiltinDataset(cfg.name) ? sourceFor(cfg.name) : undefined);
}

/**
 * Row-normalise by default when the dataset declares it (Planetoid), never by default for WikiCS-format data (it
 * collapses accuracy) or an imported graph (its features are used as given).
 */
export function defaultNormalize(cfg: DataConfig, opts: LoadOptions = {}): boolean {
  if (cfg.normalize_features !== undefined) return cfg.normalize_features;
  return declaredSource(cfg, opts)?.normalizeFeatures ?? false;
}

function variantOf(cfg: DataConfig, opts: LoadOptions): string {
  return `${cfg.undirected ? 'undirected' : 'directed'}${defaultNormalize(cfg, opts) ? '-rownorm' : ''}`;
}

/**
 * Name recorded for a data.file graph: data.name when it is not a built-in's name, else the file's stem (sanitised),
 * or 'custom'.
 */
export function fileDatasetName(path: string, name?: string): string {
  if (name !== undefined && !isBuiltinDataset(name)) return name;
  const stem = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem.length > 0 && stem !== 'data' ? stem : 'custom';
}

/** Load a dataset and say where it came from. */
export async function loadDatasetWithInfo(
  cfg: DataConfig,
  opts: LoadOptions = {},
): Promise<{ graph: GraphData; info: LoadInfo }> {
  const t0 = performance.now();
  const normalize = defaultNormalize(cfg, opts);
  const variant = variantOf(cfg, opts);
  let cacheDir: string;
  let input: CacheInput;
  let build: () => Promise<{ graph: GraphData; rawDir?: string; download?: DownloadResult }>;

  if (cfg.file) {
    const path = resolve(expandUser(cfg.file));
    if (!existsSync(path)) {
      throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `data.file: ${path} does not exist`, {
        field: 'data.file',
        path,
      });
    }
    const st = statSync(path);
    const name = fileDatasetName(path, cfg.name);
    cacheDir = homePath('data', 'files', `${name}-${sha256(path).slice(0, 8)}`, 'processed', variant);
    input = {
      kind: 'file',
      path,
      size: st.size,
      mtimeMs: st.mtimeMs,
      undirected: cfg.undirected,
      normalize,
      v: PROCESSING_VERSION,
    };
    build = async () => ({
      graph: await parseInWorker({
        kind: 'wikics',
        path,
        options: { undirected: cfg.undirected, name, source: path },
        withMetadata: true,
      }),
    });
  } else {
    const source = declaredSource(cfg, opts);
    if (!source) {
      // An imported dataset is processed once, at import; its folder is its cache.
      const name = cfg.name;
      const imported = readImported(name);
      if (imported) {
        if (imported.undirected !== cfg.undirected) {
          log.warn(
            { dataset: name, undirected: imported.undirected },
            'data.undirected does not apply to an imported dataset: its edges are as imported (see data import --directed)',
          );
        }
        const graph = normalize ? normalizeFeatures(imported) : imported;
        return { graph, info: { cache: 'hit', cacheDir: importedDir(name), ms: performance.now() - t0 } };
      }
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `data.name: "${name}" is not one of ${DatasetNames.join(', ')} nor an imported dataset (gnnops data import); a name of your own needs data.file`,
        { field: 'data.name', value: name },
      );
    }
    cacheDir = homePath('data', source.name, 'processed', variant);
    // The raw files are pinned by digest, so the digests identify the input.
    input = {
      kind: 'dataset',
      name: source.name,
      raw: sha256(
        source.files
          .filter((f) => !f.optional)
          .map(pinOf)
          .join('\n'),
      ).slice(0, 16),
      undirected: cfg.undirected,
      normalize,
      v: PROCESSING_VERSION,
    };
    build = async () => {
      const progress = opts.progress ?? Boolean(process.stderr.isTTY);
      const download = await downloadDataset(source, { mirror: opts.mirror ?? cfg.mirror, progress });
      const graph = await source.process(download.rawDir, { undirected: cfg.undirected, progress });
      return { graph, rawDir: download.rawDir, download };
    };
  }

  let problem: string | undefined;
  if (!opts.refresh) {
    try {
      const cached = readCache(cacheDir, input);
      if (cached) {
        log.debug({ cacheDir, hash: cached.hash }, 'dataset served from the processed cache');
        return { graph: cached, info: { cache: 'hit', cacheDir, ms: performance.now() - t0 } };
      }
    } catch (e) {
      if (!(e instanceof GnnopsError && e.code === ErrorCodes.CACHE_CORRUPT)) throw e;
      problem = e.message;
      log.warn({ cacheDir, reason: e.message }, 'processed cache is corrupt: rebuilding it from the raw data');
      clearCache(cacheDir);
    }
  }

  const built = await build();
  let graph = built.graph;
  if (normalize) graph = normalizeFeatures(graph);
  try {
    writeCache(cacheDir, graph, input);
  } catch (e) {
    // A read-only or full disk costs speed next time, not correctness now.
    log.warn({ cacheDir, err: e }, 'could not write the processed cache');
  }
  return {
    graph,
    info: {
      cache: problem ? 'rebuilt' : 'built',
      cacheDir,
      ...(built.rawDir ? { rawDir: built.rawDir } : {}),
      ...(built.download ? { download: built.download } : {}),
      ...(problem ? { problem } : {}),
      ms: performance.now() - t0,
    },
  };
}

/**
 * Load the dataset a config names (data.name, or data.file for a WikiCS-format file), verified and cached.
 * Rejects with a GnnopsError: DOWNLOAD_FAILED (offline, with the ways out), DATA_CHECKSUM, DATA_INVALID
 * (naming field and index), DATA_NOT_FOUND.
 */
export async function loadDataset(cfg: DataConfig, opts: LoadOptions = {}): Promise<GraphData> {
  return (await loadDatasetWithInfo(cfg, opts)).graph;
}

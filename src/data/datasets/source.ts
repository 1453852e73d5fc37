/**
 * What a built-in dataset declares, in PyG's spirit: where its raw files come from, how each is verified, and how
 * the verified raw folder becomes a graph. The loader, the downloader and the offline fallback read only these
 * declarations, so adding a dataset means adding one module that exports a `DatasetSource` and listing it in
 * sources.ts.
 */
import type { GraphData } from '../graph.js';

export interface RawFile {
  /** File name in the raw folder and on a mirror. */
  name: string;
  /** Canonical download URL. */
  url: string;
  /** Expected sha256 (hex) of the bytes. */
  sha256?: string;
  /** Expected git blob id (sha1 of "blob <len>\0" + bytes), as listed in the source repository's tree. */
  gitBlob?: string;
  /**
   * A zip archive whose publisher gives no digest: it is verified by the CRC-32 of every member (the archive
   * carries them) and by its size in bytes when a size is published.
   */
  zip?: { bytes?: number };
  /** Optional files are fetched when possible; their absence does not fail the dataset. */
  optional?: boolean;
}

/** How a raw file was checked. */
export type Verification = 'sha256' | 'git-blob' | 'zip-crc32';

export interface ProcessOptions {
  /** Symmetrise and deduplicate the edges (data.undirected). */
  undirected: boolean;
  /** Progress bars on stderr. */
  progress?: boolean;
}

export interface DatasetSource {
  name: string;
  /** One line for help texts. */
  description: string;
  /** The raw files, in download order. */
  files: readonly RawFile[];
  /** Whether data.normalize_features defaults to true (row-normalised features). */
  normalizeFeatures: boolean;
  /** Turn the verified raw folder into the graph. Rejects with a GnnopsError naming the file and place. */
  process(rawDir: string, opts: ProcessOptions): Promise<GraphData>;
  /** What to say, and may do, when the raw files cannot be fetched. */
  offline: {
    /** The `--data-file` way out, worded for this dataset. */
    dataFileHint: string;
    /** Go on with a synthetic WikiCS-format graph (labelled synthetic) when the download fails. */
    syntheticFallback: boolean;
  };
}

/** Text that identifies a file's pinned content, for the processed cache's input key. */
export function pinOf(f: RawFile): string {
  if (f.sha256) return `${f.name}:${f.sha256}`;
  if (f.gitBlob) return `${f.name}:${f.gitBlob}`;
  return `${f.name}:${f.url}:zip:${f.zip?.bytes ?? '?'}`;
}

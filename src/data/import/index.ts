/**
 * `gnnops data import`: parse a graph in one of the supported layouts, then write it as an imported dataset
 * (imported.ts describes the folder). Everything is written into a temporary sibling folder first and renamed
 * into place at the end, so a failed or interrupted import leaves no dataset behind, and a re-import with
 * `force` replaces the old one in one step.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { writeCache } from '../cache.js';
import { importedDir, importedRoot } from '../imported.js';
import { PROCESSING_VERSION } from '../load.js';
import { type GraphStats, graphStats } from '../stats.js';
import { writeStatsReport } from '../stats-charts.js';
import { importCsv } from './csv.js';
import { importNpz } from './npz.js';
import { importOgb } from './ogb.js';
import type { ImportFormat, ImportOptions, ImportResult } from './types.js';

export type { ImportFormat, ImportOptions } from './types.js';
export { ImportFormats } from './types.js';

export interface ImportSummary {
  name: string;
  format: ImportFormat;
  /** The dataset version (content hash). */
  version: string;
  dir: string;
  nodes: number;
  edgeEntries: number;
  features: number;
  classes: number;
  undirected: boolean;
  split: string;
  train: number;
  val: number;
  test: number;
  files: string[];
  idMap: boolean;
  stats: GraphStats;
  written: string[];
}

function parse(format: ImportFormat, path: string | undefined, opts: ImportOptions): Promise<ImportResult> {
  if (format === 'csv') return importCsv(path, opts);
  if (path === undefined) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${format} import: PATH is required`, { field: 'path' });
  }
  return format === 'ogb' ? importOgb(path, opts) : importNpz(path, opts);
}

const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

export async function importDataset(
  format: ImportFormat,
  path: string | undefined,
  opts: ImportOptions & { force?: boolean },
): Promise<ImportSummary> {
  const dir = importedDir(opts.name);
  if (existsSync(dir) && !opts.force) {
    throw new GnnopsError(
      ErrorCodes.CONFLICT,
      `a dataset named ${opts.name} is already imported (${dir}); pass --force to replace it`,
      { field: 'name', value: opts.name },
    );
  }
  const result = await parse(format, path, opts);
  const g = result.graph;
  const tmp = join(importedRoot(), `.tmp-${opts.name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeCache(tmp, g, {
      kind: 'import',
      format,
      split: result.split,
      undirected: g.undirected,
      v: PROCESSING_VERSION,
    });
    const stats = graphStats(g);
    const report = writeStatsReport(stats, join(tmp, 'stats'));
    const summary: ImportSummary = {
      name: opts.name,
      format,
      version: g.hash,
      dir,
      nodes: g.numNodes,
      edgeEntries: g.indptr[g.numNodes],
      features: g.numFeatures,
      classes: g.numClasses,
      undirected: g.undirected,
      split: result.split,
      train: count(g.splits[0].train),
      val: count(g.splits[0].val),
      test: count(g.testMask),
      files: result.files,
      idMap: g.nodeIds !== undefined,
      stats,
      written: report.files.map((f) => join(dir, f.slice(tmp.length + 1))),
    };
    const { stats: _omit, ...record } = summary;
    writeFileAtomic(
      join(tmp, 'import.json'),
      `${JSON.stringify({ ...record, importedAt: new Date().toISOString() }, null, 1)}\n`,
    );
    // Swap in one rename; an old dataset of the same name is moved aside first and removed after.
    const old = existsSync(dir) ? `${tmp}-old` : undefined;
    if (old) renameSync(dir, old);
    renameSync(tmp, dir);
    if (old) rmSync(old, { recursive: true, force: true });
    return summary;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

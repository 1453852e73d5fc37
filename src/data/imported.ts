/**
 * Where `gnnops data import` keeps a dataset: `data/imported/<name>/` in the workspace, holding the processed
 * cache (manifest.json + arrays.bin, and ids.json with the original node id of each index when the input had ids
 * of its own, all verified as cache.ts writes them), `import.json` (what was imported from where) and `stats/`
 * (stats.json and the charts). The loader finds an imported dataset by its name here.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importedDatasetPath, importedDatasetsRoot } from '../util/home.js';
import { readCache } from './cache.js';
import type { GraphData } from './graph.js';

/** The folder holding every imported dataset (created on demand: the importer writes its temporary folders here). */
export function importedRoot(): string {
  const root = importedDatasetsRoot();
  mkdirSync(root, { recursive: true });
  return root;
}

export function importedDir(name: string): string {
  return importedDatasetPath(name);
}

export function isImported(name: string): boolean {
  return existsSync(join(importedDir(name), 'manifest.json'));
}

/** The verified graph of an imported dataset, or undefined when no dataset of that name was imported. */
export function readImported(name: string): GraphData | undefined {
  return isImported(name) ? readCache(importedDir(name)) : undefined;
}

import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The workspace: data cache, stores and artifacts live under one folder, relocatable with GNNOPS_HOME.
 * Default: ./.gnnops in the current directory, so a fresh clone keeps its state beside it.
 */
export function gnnopsHome(): string {
  const env = process.env.GNNOPS_HOME;
  return resolve(env && env.length > 0 ? env : join(process.cwd(), '.gnnops'));
}

export type HomeDir = 'data' | 'runs' | 'artifacts' | 'models' | 'sweeps' | 'logs' | 'profiles';

/** Path of a sub-folder of the workspace, created on demand. */
export function homePath(dir: HomeDir, ...rest: string[]): string {
  const base = join(gnnopsHome(), dir);
  mkdirSync(base, { recursive: true });
  return join(base, ...rest);
}

export function expandUser(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/**
 * The folder of a dataset written by `gnnops data import` (not created here: config validation asks whether it
 * exists, and the importer creates it by renaming a finished temporary folder into place).
 */
export function importedDatasetPath(name: string): string {
  return join(importedDatasetsRoot(), name);
}

export function importedDatasetsRoot(): string {
  return join(gnnopsHome(), 'data', 'imported');
}

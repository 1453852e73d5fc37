/** Locates ../shared (read-only real data) relative to the repository root; tests skip when it is absent. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanetoidPart } from '../../src/data/datasets/planetoid.js';
import { PlanetoidParts } from '../../src/data/datasets/planetoid.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sharedDir = resolve(repoRoot, '../shared');
export const coraRawDir = resolve(sharedDir, 'data/cora/raw/planetoid');
export const coraJsonPath = resolve(sharedDir, 'data/cora/converted/cora.json');

/** The skip message when the real Cora files are missing, or undefined when they are there. */
export const coraMissing = existsSync(resolve(coraRawDir, 'ind.cora.graph'))
  ? undefined
  : `real Cora files not found at ${coraRawDir} (../shared is absent)`;

export function readCoraFiles(): Record<PlanetoidPart, Uint8Array> {
  const out = {} as Record<PlanetoidPart, Uint8Array>;
  for (const p of PlanetoidParts) out[p] = readFileSync(resolve(coraRawDir, `ind.cora.${p}`));
  return out;
}

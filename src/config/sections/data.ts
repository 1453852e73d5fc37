import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { importedDatasetPath } from '../../util/home.js';

export const DatasetNames = ['wikics', 'cora', 'citeseer', 'pubmed', 'ogbn-arxiv', 'ogbn-products'] as const;
export type BuiltinDatasetName = (typeof DatasetNames)[number];

/** Dataset names become folder names and model names (`NAME-gcn`), so they stay short and shell-safe. */
export const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DATASET_NAME_RULE = '1-64 characters of a-z 0-9 . _ -, starting with a letter or digit';

export function isBuiltinDataset(name: string): name is BuiltinDatasetName {
  return (DatasetNames as readonly string[]).includes(name);
}

/** True when `gnnops data import` wrote a dataset of this name into the workspace (see data/imported.ts). */
function isImportedName(name: string): boolean {
  return existsSync(join(importedDatasetPath(name), 'manifest.json'));
}

export const dataSection = z
  .strictObject({
    name: z
      .string()
      .regex(DATASET_NAME, { error: `a dataset name of ${DATASET_NAME_RULE}` })
      .default('wikics')
      .describe(
        `Dataset to load: ${DatasetNames.join(', ')}, or the name of a dataset imported with gnnops data import. With data.file, the name to give that graph (${DATASET_NAME_RULE}; its models are called NAME-gcn, …); left at wikics, the file's stem names it.`,
      ),
    file: z
      .string()
      .optional()
      .describe('Path to a WikiCS-format data.json to use instead of downloading (e.g. a synthetic graph).'),
    mirror: z
      .string()
      .optional()
      .describe('Local folder or base URL that holds the raw files under their canonical names.'),
    undirected: z.boolean().default(true).describe('Symmetrise and deduplicate links, as PyG does.'),
    normalize_features: z
      .boolean()
      .optional()
      .describe('Row-normalise features. Default: true for Planetoid, false for WikiCS (it collapses accuracy).'),
  })
  .superRefine((d, ctx) => {
    // Without a file only a built-in can be loaded; with one, another built-in's name would give its models the
    // names of models trained on the real dataset (wikics stays allowed: it is the default and the file's format).
    if (d.file === undefined && !isBuiltinDataset(d.name) && !isImportedName(d.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `one of ${DatasetNames.join(', ')} or an imported dataset (gnnops data import); any other name needs data.file, the graph it names`,
      });
    } else if (d.file !== undefined && isBuiltinDataset(d.name) && d.name !== 'wikics') {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `a name of its own for the data.file graph: "${d.name}" is the built-in dataset`,
      });
    }
  })
  .describe('Dataset selection and preprocessing.');

import { z } from 'zod';

export const DatasetNames = ['wikics', 'cora', 'citeseer', 'pubmed'] as const;

export const dataSection = z
  .strictObject({
    name: z.enum(DatasetNames).default('wikics').describe('Dataset to load.'),
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
  .describe('Dataset selection and preprocessing.');

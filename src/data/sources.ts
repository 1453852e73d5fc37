/**
 * The built-in datasets, each declared by its own module (datasets/*.ts): raw files with their canonical URLs and
 * digests, and how the verified files become a graph. File names are the canonical ones, so a mirror (a folder or a
 * base URL) holds the same names. Datasets brought with `gnnops data import` are not listed here: they are
 * processed once, at import, and loaded from their folder (imported.ts).
 */
import type { BuiltinDatasetName } from '../config/sections/data.js';
import { OGB_SOURCES } from './datasets/ogb.js';
import { PLANETOID_SHA256, planetoidSource } from './datasets/planetoid.js';
import type { DatasetSource, RawFile } from './datasets/source.js';
import { wikicsSource } from './datasets/wikics.js';

export type { DatasetSource, RawFile, Verification } from './datasets/source.js';
export { PLANETOID_SHA256 };

export type DatasetName = BuiltinDatasetName;

/** One declaration per built-in name; the type makes a name without a declaration a compile error. */
const SOURCES: Readonly<Record<DatasetName, DatasetSource>> = {
  wikics: wikicsSource,
  cora: planetoidSource('cora'),
  citeseer: planetoidSource('citeseer'),
  pubmed: planetoidSource('pubmed'),
  ...OGB_SOURCES,
};

/** The declaration of a built-in dataset. */
export function sourceFor(dataset: DatasetName): DatasetSource {
  return SOURCES[dataset];
}

/** The raw files of a dataset, in download order. */
export function rawFilesFor(dataset: DatasetName): readonly RawFile[] {
  return SOURCES[dataset].files;
}

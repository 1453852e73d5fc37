import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DATASET_NAME, isBuiltinDataset } from '../../config/sections/data.js';
import { type ImportFormat, ImportFormats, importDataset } from '../../data/import/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag, phasedProgress, progressBar, table } from '../output.js';

interface ImportFlags {
  format: string;
  name: string;
  split?: string;
  edges?: string;
  nodes?: string;
  features?: string;
  trainIds?: string;
  validIds?: string;
  testIds?: string;
  classes?: string;
  seed?: string;
  ratios?: string;
  directed?: boolean;
  force?: boolean;
  json?: boolean;
}

const HELP = `
Formats:
  ogb  PATH is an OGB node-property-prediction folder: raw/edge.csv.gz, raw/node-feat.csv.gz,
       raw/node-label.csv.gz, raw/num-node-list.csv.gz, raw/num-edge-list.csv.gz and
       split/<name>/{train,valid,test}.csv.gz (gzip or plain .csv). --split picks the folder when there are several.
  csv  Two delimited files (CSV or TSV, plain or .gz; fields are not quoted):
       - the node table, with a header: id, label (integers or class names; empty = unlabelled), optionally split
         (train, val, test or empty), and every other column a numeric feature;
       - the edge list: src,dst per row (node ids of the table), with or without a header row.
       PATH is a folder holding edges.csv and nodes.csv (or .tsv, .csv.gz, .tsv.gz); --edges and --nodes name the
       files instead. Node ids are any strings: they are numbered in table order and the map is kept, so serving,
       the dashboard and gnnops explain take the original ids.
       Features: the node table's other columns, or, when it has none, a .npy file (--features, or features.npy
       in PATH): a 2-D C-order array, one row per node in table order, float32/float64/integer, little-endian.
       Split: the split column; or --train-ids, --valid-ids and --test-ids, files of node ids one per line (an
       optional first line "id" is a header); or else the labelled nodes are split at random per class
       (--ratios, --seed).
  npz  PATH is a .npz file in the layout of Shchur et al. (Amazon Computers/Photo, Coauthor CS/Physics):
       adj_data/adj_indices/adj_indptr/adj_shape (CSR), attr_matrix or attr_* (CSR), labels. It has no split:
       the nodes are split at random per class (--ratios, --seed).

The dataset lands in the workspace under data/imported/NAME (the binary cache, ids.json for string node ids,
stats/ with stats.json and charts), written to a temporary folder and renamed into place, so a failed import leaves
nothing. Then: gnnops data stats --dataset NAME, gnnops train data.name=NAME.

Examples:
  gnnops data import --format ogb --name arxiv ./ogbn_arxiv
  gnnops data import --format csv --name mygraph --nodes nodes.tsv --edges edges.tsv --seed 1
  gnnops data import --format csv --name papers ./papers --features x.npy \
      --train-ids train.txt --valid-ids valid.txt --test-ids test.txt`;

function ratiosFlag(v: string | undefined): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || x < 0) || parts[0] <= 0) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--ratios: "${v}" is not three non-negative shares train,val,test`,
      {
        field: 'ratios',
        value: v,
      },
    );
  }
  return [parts[0], parts[1], parts[2]];
}

export function registerImport(data: Command): void {
  data
    .command('import')
    .description(
      'Import a graph of your own (OGB layout, CSV/TSV edge list + node table, or Shchur .npz) as a named dataset.',
    )
    .argument('[path]', 'ogb: the dataset folder; csv: a folder holding edges.csv and nodes.csv; npz: the .npz file')
    .requiredOption('--format <format>', `input layout: ${ImportFormats.join(', ')}`)
    .requiredOption('--name <name>', 'dataset name (a-z 0-9 . _ -, up to 64; not a built-in name)')
    .option('--split <name>', 'ogb: the split folder under split/ (needed when there are several)')
    .option('--edges <file>', 'csv: the edge list file')
    .option('--nodes <file>', 'csv: the node table file')
    .option(
      '--features <file>',
      'csv: node features as a .npy array (nodes × features) when the table has no feature columns',
    )
    .option(
      '--train-ids <file>',
      'csv: the train split as a file of node ids, one per line (with --valid-ids, --test-ids)',
    )
    .option('--valid-ids <file>', 'csv: the validation split as a file of node ids')
    .option('--test-ids <file>', 'csv: the test split as a file of node ids')
    .option('--classes <n>', 'number of classes for integer labels; a label ≥ n is an error (default: max label + 1)')
    .option(
      '--seed <s>',
      'csv without a split column or split files, npz: seed of the stratified random split (default 0)',
    )
    .option(
      '--ratios <a,b,c>',
      'csv without a split column or split files, npz: train,val,test shares (default 0.6,0.2,0.2)',
    )
    .option('--directed', 'keep the edges as given instead of making the graph undirected')
    .option('--force', 'replace a dataset already imported under this name')
    .option('--json', 'print JSON')
    .addHelpText('after', HELP)
    .action(async (path: string | undefined, f: ImportFlags) => {
      if (!(ImportFormats as readonly string[]).includes(f.format)) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `--format: "${f.format}" is not one of ${ImportFormats.join(', ')}`,
          {
            field: 'format',
            value: f.format,
          },
        );
      }
      if (!DATASET_NAME.test(f.name) || isBuiltinDataset(f.name)) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `--name: "${f.name}" must be 1-64 characters of a-z 0-9 . _ - (starting with a letter or digit) and not a built-in dataset's name`,
          { field: 'name', value: f.name },
        );
      }
      const csvOnly = (['edges', 'nodes', 'features', 'trainIds', 'validIds', 'testIds'] as const).filter(
        (k) => f[k] !== undefined,
      );
      if (f.format !== 'csv' && csvOnly.length > 0) {
        const flag = `--${csvOnly[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `${flag} is for --format csv, not ${f.format}`, {
          field: csvOnly[0],
        });
      }
      const splitGiven = [f.trainIds, f.validIds, f.testIds].filter((x) => x !== undefined).length;
      if (splitGiven > 0 && splitGiven < 3) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          '--train-ids, --valid-ids and --test-ids go together: give all three split files',
          { field: f.trainIds === undefined ? 'trainIds' : f.validIds === undefined ? 'validIds' : 'testIds' },
        );
      }
      const bar = progressBar(f.json, { format: 'import [{bar}] {value}/{total} | {phase}' });
      const summary = await importDataset(f.format as ImportFormat, path === undefined ? undefined : resolve(path), {
        name: f.name,
        undirected: !f.directed,
        force: Boolean(f.force),
        ...(f.split !== undefined ? { split: f.split } : {}),
        ...(f.edges !== undefined ? { edges: resolve(f.edges) } : {}),
        ...(f.nodes !== undefined ? { nodes: resolve(f.nodes) } : {}),
        ...(f.features !== undefined ? { features: resolve(f.features) } : {}),
        ...(f.trainIds !== undefined && f.validIds !== undefined && f.testIds !== undefined
          ? { splitFiles: { train: resolve(f.trainIds), valid: resolve(f.validIds), test: resolve(f.testIds) } }
          : {}),
        ...(f.classes !== undefined ? { classes: intFlag('classes', f.classes, 2) } : {}),
        ...(f.seed !== undefined ? { seed: intFlag('seed', f.seed, 0) } : {}),
        ...(f.ratios !== undefined ? { ratios: ratiosFlag(f.ratios) } : {}),
        progress: phasedProgress(bar),
      }).finally(() => bar?.stop());
      emit(Boolean(f.json), summary, () =>
        [
          `imported ${summary.name} (${summary.format}) version ${summary.version} into ${summary.dir}`,
          table(
            ['nodes', 'edge entries', 'features', 'classes', 'undirected', 'split', 'train', 'val', 'test'],
            [
              [
                summary.nodes,
                summary.edgeEntries,
                summary.features,
                summary.classes,
                String(summary.undirected),
                summary.split,
                summary.train,
                summary.val,
                summary.test,
              ],
            ],
          ),
          `edge homophily ${summary.stats.homophily.edge.toFixed(3)}; statistics and charts: ${summary.written.length} files in ${summary.dir}/stats`,
          `next: gnnops data stats --dataset ${summary.name}; gnnops train data.name=${summary.name}`,
        ].join('\n'),
      );
    });
}

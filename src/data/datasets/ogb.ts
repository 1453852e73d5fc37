/**
 * OGB node-property-prediction datasets (Hu et al. 2020, arXiv:2005.00687) by name: one zip per dataset from
 * its canonical URL, unzipped into the OGB raw layout beside it and read by the OGB importer.
 *
 * Facts, from snap-stanford/ogb `ogb/nodeproppred/master.csv` (URL, download name, node and class counts, split
 * name) and https://ogb.stanford.edu/docs/nodeprop/ (edge counts, feature widths: 128 for arxiv, 100 for products):
 * - ogbn-arxiv: https://snap.stanford.edu/ogb/data/nodeproppred/arxiv.zip, 169,343 nodes, 1,166,243 edges,
 *   40 classes, 128 features, split `time`;
 * - ogbn-products: https://snap.stanford.edu/ogb/data/nodeproppred/products.zip, 2,449,029 nodes, 61,859,140
 *   edges, 47 classes, 100 features, split `sales_ranking`.
 *
 * OGB publishes no digest or byte size for these two archives (its maintainers list md5 sums only for the LSC
 * archives, snap-stanford/ogb issue 127), so an archive is verified by the CRC-32 of every member, and the graph
 * by the published counts above: a truncated, damaged or different archive is refused, naming what disagrees.
 *
 * Evaluation: OGB's Evaluator scores both with `acc`, the share of correctly predicted nodes of the split among
 * those with a label (`evaluate.py`, `_eval_acc`). Every node of an OGB split has a label (the importer refuses an
 * unlabelled split member), so it equals the plain test accuracy gnnops reports; see `ogbAccuracy`.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import cliProgress from 'cli-progress';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { log } from '../../util/logger.js';
import type { GraphData } from '../graph.js';
import { importOgb } from '../import/ogb.js';
import { extractZip } from '../import/zip.js';
import type { DatasetSource } from './source.js';

export interface OgbSpec {
  name: string;
  /** The archive's stem and the folder it unpacks into (OGB's `download_name`). */
  downloadName: string;
  url: string;
  nodes: number;
  edges: number;
  classes: number;
  features: number;
  split: string;
  description: string;
}

export const OGB_SPECS = {
  'ogbn-arxiv': {
    name: 'ogbn-arxiv',
    downloadName: 'arxiv',
    url: 'https://snap.stanford.edu/ogb/data/nodeproppred/arxiv.zip',
    nodes: 169_343,
    edges: 1_166_243,
    classes: 40,
    features: 128,
    split: 'time',
    description: 'ogbn-arxiv (OGB): arXiv CS citation graph, 169,343 papers, 40 subject areas, split by year',
  },
  'ogbn-products': {
    name: 'ogbn-products',
    downloadName: 'products',
    url: 'https://snap.stanford.edu/ogb/data/nodeproppred/products.zip',
    nodes: 2_449_029,
    edges: 61_859_140,
    classes: 47,
    features: 100,
    split: 'sales_ranking',
    description:
      'ogbn-products (OGB): Amazon co-purchase graph, 2,449,029 products, 47 categories, split by sales rank',
  },
} as const satisfies Record<string, OgbSpec>;

export type OgbName = keyof typeof OGB_SPECS;

/** Unpack the archive once; a marker records which archive (size, mtime) the folder came from. */
async function unpack(zip: string, root: string, progress: boolean): Promise<void> {
  const st = statSync(zip);
  const stamp = JSON.stringify({ bytes: st.size, mtimeMs: st.mtimeMs });
  const marker = join(root, '.unpacked-from.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return;
  const tmp = `${root}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const bar = progress
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'unzip [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(st.size, 0);
  try {
    await extractZip(zip, tmp, (done) => bar?.update(done));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    bar?.stop();
  }
  rmSync(root, { recursive: true, force: true });
  // OGB's archives hold one top-level folder named after the download; the layout is inside it.
  const inner = join(tmp, basename(root));
  renameSync(existsSync(inner) ? inner : tmp, root);
  rmSync(tmp, { recursive: true, force: true });
  writeFileAtomic(marker, stamp);
}

function checkFacts(spec: OgbSpec, g: GraphData, root: string): void {
  const facts: [string, number, number][] = [
    ['nodes', g.numNodes, spec.nodes],
    ['edges', g.rawEdgeEntries ?? -1, spec.edges],
    ['features', g.numFeatures, spec.features],
    ['classes', g.numClasses, spec.classes],
  ];
  for (const [what, got, want] of facts) {
    if (got !== want) {
      throw new GnnopsError(
        ErrorCodes.DATA_CHECKSUM,
        `${spec.name}: the archive from ${spec.url} unpacked into ${root} holds ${got} ${what}; ${spec.name} has ${want} (OGB's published figure): a different or damaged archive`,
        { dataset: spec.name, field: what, got, expected: want },
      );
    }
  }
}

/** The declaration of an OGB node-property dataset from its facts (tests declare small ones the same way). */
export function ogbSource(spec: OgbSpec): DatasetSource {
  const zipName = `${spec.downloadName}.zip`;
  return {
    name: spec.name,
    description: spec.description,
    files: [{ name: zipName, url: spec.url, zip: {} }],
    normalizeFeatures: false,
    async process(rawDir, o) {
      const root = join(rawDir, spec.downloadName);
      await unpack(join(rawDir, zipName), root, Boolean(o.progress));
      log.info({ dataset: spec.name, root }, 'importing the OGB raw layout');
      const { graph } = await importOgb(root, {
        name: spec.name,
        undirected: o.undirected,
        split: spec.split,
        classes: spec.classes,
      });
      checkFacts(spec, graph, root);
      return { ...graph, source: spec.url };
    },
    offline: {
      dataFileHint: `gnnops data import --format ogb --name NAME DIR, for the ${spec.name} layout you have (or one made by gnnops data synth --shape ${spec.name} --format ogb --out DIR)`,
      syntheticFallback: false,
    },
  };
}

export const OGB_SOURCES: Readonly<Record<OgbName, DatasetSource>> = {
  'ogbn-arxiv': ogbSource(OGB_SPECS['ogbn-arxiv']),
  'ogbn-products': ogbSource(OGB_SPECS['ogbn-products']),
};

/**
 * OGB's Evaluator for the multiclass node datasets: `{acc}`, correct predictions over the nodes whose true label is
 * present (a label < 0 stands for OGB's NaN). `yTrue` and `yPred` are the [N, 1] columns as flat arrays.
 */
export function ogbAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): { acc: number } {
  if (yTrue.length !== yPred.length) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `y_true has ${yTrue.length} rows and y_pred ${yPred.length}: the shapes must be the same`,
      { field: 'y_pred' },
    );
  }
  let valid = 0;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (!(yTrue[i] >= 0)) continue;
    valid++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  if (valid === 0) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'y_true has no labelled row: accuracy is undefined', {
      field: 'y_true',
    });
  }
  return { acc: correct / valid };
}

/**
 * Deterministic graphs of an OGB dataset's shape, written in the OGB node-property raw layout (gzip CSV), for tests
 * and benchmarks of import, sampling and training at that scale. They are synthetic and say so
 * (`raw/SYNTHETIC.txt`); the shapes are OGB's published figures (datasets/ogb.ts).
 *
 * Model (planted classes, so that message passing helps and a GNN beats an MLP):
 * - class z_i uniform over the C classes;
 * - features x_i = μ_{z_i} + ε_i, μ_c ~ N(0, signal²) per dimension, ε ~ N(0, 1): one node's features alone are
 *   ambiguous (an MLP stays well below a GNN), while the mean over a node's neighbours cancels most of ε;
 * - each of the E stored edges picks a source with a heavy-tailed activity (u = ⌊n·r^1.6⌋ after a fixed shuffle,
 *   so degrees are skewed as in real graphs) and a target in the source's class with probability `homophily`, else
 *   anywhere; self-loops are redrawn. As in OGB, each edge is stored once;
 * - the split follows the shape's: arxiv's by "time" (node order, OGB's 90,941 / 29,799 / 48,603), products' by
 *   "sales rank" (node order, OGB's 8% / 2% / 90%).
 * Every file is written as a stream of gzip members of about 4 MB of text each, so no file's text is ever held
 * whole (products' features are about 1.7 GB of text).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { OGB_SPECS, type OgbName } from './datasets/ogb.js';

export const OGB_SYNTH_VERSION = 1;

export const SynthShapes = Object.keys(OGB_SPECS) as OgbName[];

/** Split shares of each shape (OGB's: ogbn-arxiv's counts, ogbn-products' stated percentages). */
const SPLIT_SHARES: Readonly<Record<OgbName, readonly [number, number]>> = {
  'ogbn-arxiv': [90_941 / 169_343, 29_799 / 169_343],
  'ogbn-products': [0.08, 0.02],
};

export interface OgbSynthOptions {
  shape: OgbName;
  /** Output folder: receives raw/ and split/<name>/. */
  out: string;
  /** Share of the shape's nodes and edges (default 1: the full shape). */
  scale?: number;
  seed?: number;
  /** Spread of class centroids per dimension against unit node noise (default 0.3). */
  signal?: number;
  /** Probability that an edge's target is drawn from its source's class, else from all nodes (default 0.25). */
  homophily?: number;
  /** Called as the work advances. */
  progress?: (phase: string, done: number, total: number) => void;
}

export interface OgbSynthSummary {
  shape: OgbName;
  out: string;
  scale: number;
  seed: number;
  nodes: number;
  edges: number;
  features: number;
  classes: number;
  split: string;
  train: number;
  valid: number;
  test: number;
  files: string[];
  synthetic: true;
}

/** A gzip text file written as independent gzip members (valid gzip; readers concatenate them). */
class GzipLines {
  private parts: string[] = [];
  private size = 0;
  private readonly fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size >= 4 << 20) this.flush();
  }
  private flush(): void {
    if (this.parts.length === 0) return;
    const gz = gzipSync(Buffer.from(`${this.parts.join('\n')}\n`), { level: 1 });
    let off = 0;
    while (off < gz.length) off += writeSync(this.fd, gz, off, gz.length - off);
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function writeGz(path: string, lines: (put: (s: string) => void) => void): void {
  const w = new GzipLines(path);
  try {
    lines((s) => w.line(s));
  } finally {
    w.close();
  }
}

/** Write the graph into `out` (created; an existing raw/ and split/ there are replaced only on success). */
export function writeOgbSynthetic(opts: OgbSynthOptions): OgbSynthSummary {
  const spec = OGB_SPECS[opts.shape];
  if (!spec) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--shape: "${opts.shape}" is not one of ${SynthShapes.join(', ')}`,
      {
        field: 'shape',
        value: opts.shape,
      },
    );
  }
  const scale = opts.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--scale: ${scale} is outside (0, 1]`, {
      field: 'scale',
      value: scale,
    });
  }
  const n = Math.max(spec.classes * 4, Math.round(spec.nodes * scale));
  const m = Math.max(n, Math.round(spec.edges * scale));
  const d = spec.features;
  const C = spec.classes;
  const seed = opts.seed ?? 1;
  const signal = opts.signal ?? 0.3;
  const homophily = opts.homophily ?? 0.25;
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.floor(r() * C);
  const mu = new Float64Array(C * d);
  for (let k = 0; k < mu.length; k++) mu[k] = signal * gauss();
  // Nodes grouped by class (counting sort) for in-class targets; a fixed shuffle decouples activity from class.
  const start = new Int32Array(C + 1);
  for (let i = 0; i < n; i++) start[labels[i] + 1]++;
  for (let c = 0; c < C; c++) start[c + 1] += start[c];
  const byClass = new Int32Array(n);
  const fill = start.slice(0, C);
  for (let i = 0; i < n; i++) byClass[fill[labels[i]]++] = i;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }

  const tmp = `${opts.out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const raw = join(tmp, 'raw');
  const splitDir = join(tmp, 'split', spec.split);
  mkdirSync(raw, { recursive: true });
  mkdirSync(splitDir, { recursive: true });
  const [trainShare, validShare] = SPLIT_SHARES[opts.shape];
  const nTrain = Math.round(n * trainShare);
  const nValid = Math.round(n * validShare);
  try {
    writeGz(join(raw, 'num-node-list.csv.gz'), (put) => put(String(n)));
    writeGz(join(raw, 'num-edge-list.csv.gz'), (put) => put(String(m)));
    writeGz(join(raw, 'node-label.csv.gz'), (put) => {
      for (let i = 0; i < n; i++) put(String(labels[i]));
    });
    const row = new Array<string>(d);
    writeGz(join(raw, 'node-feat.csv.gz'), (put) => {
      for (let i = 0; i < n; i++) {
        const base = labels[i] * d;
        for (let j = 0; j < d; j++) row[j] = (mu[base + j] + gauss()).toFixed(4);
        put(row.join(','));
        if ((i & 0x3fff) === 0) opts.progress?.('features', i, n);
      }
      opts.progress?.('features', n, n);
    });
    writeGz(join(raw, 'edge.csv.gz'), (put) => {
      for (let k = 0; k < m; k++) {
        const u = perm[Math.floor(n * r() ** 1.6)];
        let v: number;
        do {
          if (r() < homophily) {
            const c = labels[u];
            v = byClass[start[c] + Math.floor(r() * (start[c + 1] - start[c]))];
          } else v = Math.floor(r() * n);
        } while (v === u);
        put(`${u},${v}`);
        if ((k & 0xfffff) === 0) opts.progress?.('edges', k, m);
      }
      opts.progress?.('edges', m, m);
    });
    writeGz(join(splitDir, 'train.csv.gz'), (put) => {
      for (let i = 0; i < nTrain; i++) put(String(i));
    });
    writeGz(join(splitDir, 'valid.csv.gz'), (put) => {
      for (let i = nTrain; i < nTrain + nValid; i++) put(String(i));
    });
    writeGz(join(splitDir, 'test.csv.gz'), (put) => {
      for (let i = nTrain + nValid; i < n; i++) put(String(i));
    });
    writeFileSync(
      join(raw, 'SYNTHETIC.txt'),
      `Synthetic graph of the ${spec.name} shape written by gnnops data synth (generator v${OGB_SYNTH_VERSION}, seed ${seed}, scale ${scale}); not ${spec.name}.\n`,
    );
    rmSync(join(opts.out, 'raw'), { recursive: true, force: true });
    rmSync(join(opts.out, 'split'), { recursive: true, force: true });
    mkdirSync(opts.out, { recursive: true });
    renameSync(join(tmp, 'raw'), join(opts.out, 'raw'));
    renameSync(join(tmp, 'split'), join(opts.out, 'split'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const files = [
    'raw/edge.csv.gz',
    'raw/node-feat.csv.gz',
    'raw/node-label.csv.gz',
    'raw/num-node-list.csv.gz',
    'raw/num-edge-list.csv.gz',
    `split/${spec.split}/train.csv.gz`,
    `split/${spec.split}/valid.csv.gz`,
    `split/${spec.split}/test.csv.gz`,
  ].map((f) => join(opts.out, f));
  return {
    shape: opts.shape,
    out: opts.out,
    scale,
    seed,
    nodes: n,
    edges: m,
    features: d,
    classes: C,
    split: spec.split,
    train: nTrain,
    valid: nValid,
    test: n - nTrain - nValid,
    files,
    synthetic: true,
  };
}

/**
 * gnnops' own generator of WikiCS-format graphs, for tests, benchmarks and the offline fallback of `gnnops start`.
 * It is deterministic for a seed, and the file it writes carries a `gnnops_synthetic` marker so that it is always
 * reported as synthetic, never as WikiCS.
 *
 * Model (a degree-corrected stochastic block model with Gaussian class features):
 * - a latent class z_i per node, in WikiCS's class proportions (statistics.json: 295, 667, 2153, 1933, 2679, 780,
 *   413, 865, 492, 1424 of 11,701), shuffled;
 * - features x_i = μ_{z_i} + ε_i, with μ_c ~ N(0, signal²) per dimension and ε ~ N(0, noise²), rounded to 5 decimals;
 * - a heavy-tailed activity a_i ~ Pareto(α = 1.7) − 0.9 per node. Node i writes d_i ≈ avgDegree · a_i / mean(a) out-links
 *   (at least 1, at most N/4); each link goes to its own class with probability h_i (h_i spread around
 *   `homophily`), else to any node; targets are drawn ∝ activity, so in-degrees are heavy-tailed too;
 * - a few self-loops (rate `selfLoopRate`), as the real file has some;
 * - observed label y_i = z_i, except a share `labelNoise` moved to a uniformly chosen other class;
 * - WikiCS's split protocol per (observed) class of size n: test = ⌊0.5 n⌋ (fixed), and in each of the `splits`
 *   splits train = ⌊0.05 n⌋, stopping = ⌊0.3 n⌋, val = the rest of the non-test nodes.
 */
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { SYNTHETIC_KEY } from './datasets/wikics.js';

/** Version of the generator: bumped whenever the same seed would give a different graph. */
export const SYNTH_VERSION = 1;

/** WikiCS class sizes (dataset/statistics.json, in its order). */
export const WIKICS_CLASS_SIZES = Object.freeze([295, 667, 2153, 1933, 2679, 780, 413, 865, 492, 1424]);

export interface SynthOptions {
  /** Nodes; default 11,701 (WikiCS). */
  nodes?: number;
  /** Seed of the generator; default 1. */
  seed?: number;
  /** Feature dimension; default 300. */
  features?: number;
  /** Mean out-link draws per node (repeats collapse); default min(21.5, nodes/4), which gives ≈216k distinct links at 11,701 nodes (WikiCS: 216,123). */
  avgDegree?: number;
  /** Mean share of a node's links that stay in its latent class; default 0.75 (observed edge homophily ≈ 0.62 after label noise). */
  homophily?: number;
  /** Share of labels moved off the latent class; default 0.1. */
  labelNoise?: number;
  /** Spread of class centroids per dimension; default 0.1 (node noise is 0.42). */
  signal?: number;
  /** Rate of self-loops per node; default 0.004. */
  selfLoopRate?: number;
  /** Number of train/val/stopping splits; default 20. */
  splits?: number;
}

/** The WikiCS data.json object, plus the synthetic marker. */
export interface WikiCSJson {
  features: number[][];
  labels: number[];
  links: number[][];
  train_masks: boolean[][];
  val_masks: boolean[][];
  stopping_masks: boolean[][];
  test_mask: boolean[];
  [SYNTHETIC_KEY]?: { generator: string; version: number; seed: number; nodes: number };
}

/** splitmix32: a small, well-mixed 32-bit PRNG; returns floats in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}

function shuffle<T>(a: T[], r: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** Largest-remainder apportionment of n into the given proportions (sums to exactly n). */
function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * n);
  const out = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; out.reduce((a, b) => a + b, 0) < n; k++) out[order[k % order.length][1]]++;
  return out;
}

/** Sampler over ids ∝ weight by binary search on the cumulative sum. */
function weightedPicker(ids: readonly number[], weight: Float64Array): (u: number) => number {
  const cum = new Float64Array(ids.length);
  let acc = 0;
  ids.forEach((id, k) => {
    acc += weight[id];
    cum[k] = acc;
  });
  return (u) => {
    const x = u * acc;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo];
  };
}

function check(name: string, v: number, lo: number, hi: number, integer = false): void {
  if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `synth: ${name} = ${v} is out of range (${integer ? 'an integer ' : ''}${lo}..${hi})`,
      { field: name, value: v },
    );
  }
}

/** Generate a WikiCS-format graph (the parsed data.json object). */
export function generateSynthetic(opts: SynthOptions = {}): WikiCSJson {
  const n = opts.nodes ?? 11701;
  const seed = opts.seed ?? 1;
  const dim = opts.features ?? 300;
  const avgDegree = opts.avgDegree ?? Math.min(21.5, n / 4);
  const homophily = opts.homophily ?? 0.75;
  const labelNoise = opts.labelNoise ?? 0.1;
  const signal = opts.signal ?? 0.1;
  const selfLoopRate = opts.selfLoopRate ?? 0.004;
  const numSplits = opts.splits ?? 20;
  check('nodes', n, 20, 5_000_000, true);
  check('seed', seed, 0, 2 ** 32 - 1, true);
  check('features', dim, 1, 10_000, true);
  check('avgDegree', avgDegree, 0, n / 4);
  check('homophily', homophily, 0, 1);
  check('labelNoise', labelNoise, 0, 1);
  check('signal', signal, 0, 100);
  check('selfLoopRate', selfLoopRate, 0, 1);
  check('splits', numSplits, 1, 100, true);

  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const C = WIKICS_CLASS_SIZES.length;

  const latent: number[] = [];
  apportion(n, WIKICS_CLASS_SIZES).forEach((count, c) => {
    for (let k = 0; k < count; k++) latent.push(c);
  });
  shuffle(latent, r);
  const members: number[][] = Array.from({ length: C }, () => []);
  latent.forEach((c, i) => {
    members[c].push(i);
  });

  const centroids = Array.from({ length: C }, () => Float64Array.from({ length: dim }, () => signal * gauss()));
  const features = latent.map((c) => {
    const mu = centroids[c];
    const row = new Array<number>(dim);
    for (let j = 0; j < dim; j++) row[j] = Math.round((mu[j] + 0.42 * gauss()) * 1e5) / 1e5;
    return row;
  });

  // Shifted Pareto: a long tail of hubs and, unlike a plain Pareto, many nodes with only one or two links.
  const activity = Float64Array.from({ length: n }, () => (1 - r()) ** (-1 / 1.7) - 0.9);
  const meanActivity = activity.reduce((a, b) => a + b, 0) / n;
  const inClass = members.map((ids) => weightedPicker(ids, activity));
  const anyNode = weightedPicker(
    Array.from({ length: n }, (_, i) => i),
    activity,
  );
  const maxOut = Math.max(1, Math.floor(n / 4));
  const links = latent.map((c, i) => {
    const want = Math.min(maxOut, Math.max(1, Math.round(avgDegree * (activity[i] / meanActivity))));
    // Per-node homophily: most nodes near the mean, some much lower (as pages linking across topics).
    const h = Math.min(1, Math.max(0, homophily + 0.25 * (r() - 0.5) * 2 * (r() < 0.8 ? 0.5 : 1.5)));
    const out = new Set<number>();
    for (let t = 0; t < want * 4 && out.size < want; t++) {
      const j = r() < h ? inClass[c](r()) : anyNode(r());
      if (j !== i) out.add(j);
    }
    if (r() < selfLoopRate) out.add(i);
    return [...out].sort((a, b) => a - b);
  });

  const labels = latent.map((c) => (r() < labelNoise ? (c + 1 + Math.floor(r() * (C - 1))) % C : c));
  const byLabel: number[][] = Array.from({ length: C }, () => []);
  labels.forEach((y, i) => {
    byLabel[y].push(i);
  });

  const testMask = new Array<boolean>(n).fill(false);
  const pools = byLabel.map((ids) => {
    const s = shuffle([...ids], r);
    const nTest = Math.floor(0.5 * ids.length);
    for (const i of s.slice(0, nTest)) testMask[i] = true;
    return { size: ids.length, rest: s.slice(nTest) };
  });
  const train_masks: boolean[][] = [];
  const val_masks: boolean[][] = [];
  const stopping_masks: boolean[][] = [];
  for (let s = 0; s < numSplits; s++) {
    const tr = new Array<boolean>(n).fill(false);
    const va = new Array<boolean>(n).fill(false);
    const st = new Array<boolean>(n).fill(false);
    for (const p of pools) {
      const order = shuffle([...p.rest], r);
      const nTrain = Math.floor(0.05 * p.size);
      const nStop = Math.floor(0.3 * p.size);
      order.forEach((i, k) => {
        if (k < nTrain) tr[i] = true;
        else if (k < nTrain + nStop) st[i] = true;
        else va[i] = true;
      });
    }
    train_masks.push(tr);
    val_masks.push(va);
    stopping_masks.push(st);
  }
  return {
    features,
    labels,
    links,
    train_masks,
    val_masks,
    stopping_masks,
    test_mask: testMask,
    [SYNTHETIC_KEY]: { generator: 'gnnops data synth', version: SYNTH_VERSION, seed, nodes: n },
  };
}

export interface SynthSummary {
  path: string;
  nodes: number;
  links: number;
  selfLoops: number;
  splits: number;
  /** Share of directed links whose ends carry the same observed label. */
  edgeHomophily: number;
  bytes: number;
}

/** Summary counts of a generated object (computed from the JSON itself, independent of the parser). */
export function summarizeSynthetic(g: WikiCSJson, path = ''): Omit<SynthSummary, 'bytes'> {
  let links = 0;
  let same = 0;
  let selfLoops = 0;
  g.links.forEach((row, i) => {
    links += row.length;
    for (const j of row) {
      if (g.labels[j] === g.labels[i]) same++;
      if (j === i) selfLoops++;
    }
  });
  return {
    path,
    nodes: g.labels.length,
    links,
    selfLoops,
    splits: g.train_masks.length,
    edgeHomophily: links ? same / links : 0,
  };
}

/** Generate and write a WikiCS-format file (atomically). */
export function writeSynthetic(path: string, opts: SynthOptions = {}): SynthSummary {
  const g = generateSynthetic(opts);
  const text = JSON.stringify(g);
  writeFileAtomic(path, text);
  return { ...summarizeSynthetic(g, path), bytes: Buffer.byteLength(text) };
}

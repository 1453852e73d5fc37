/**
 * WikiCS-shaped synthetic windows and the drifts `drift simulate` applies: for benchmarks, tests and demos when
 * the real dataset is not at hand. The feature model is the one of ../shared/data/wikics-like (class centroids
 * with spread 0.1 plus node noise 0.42 per dimension, values rounded to 5 decimals), class sizes are WikiCS's,
 * degrees are heavy-tailed (Pareto, shape 1.6) like WikiCS's.
 */

/** Seeded xorshift32 uniform generator in [0, 1). */
export function makeRng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** WikiCS class sizes (dataset/statistics.json). */
export const WIKICS_CLASS_SIZES = [295, 667, 2153, 1933, 2679, 780, 413, 865, 492, 1424];

export interface SyntheticGraphWindow {
  features: Float32Array;
  rows: number;
  cols: number;
  labels: Int32Array;
  predictions: Int32Array;
  degrees: Int32Array;
  subgraphSizes: Int32Array;
}

export interface SyntheticOptions {
  rows?: number;
  cols?: number;
  seed?: number;
  /** Share of predictions equal to the label (default 0.8); the rest are uniform. */
  accuracy?: number;
  /** Class proportions (default WikiCS's). */
  classWeights?: number[];
}

function pickClass(rng: () => number, cum: number[]): number {
  const u = rng() * cum[cum.length - 1];
  let k = 0;
  while (cum[k] < u) k++;
  return k;
}

/** Draw `rows` nodes of a WikiCS-like population. Centroids depend only on `cols` and a fixed seed. */
export function syntheticWindow(opts: SyntheticOptions = {}): SyntheticGraphWindow {
  const rows = opts.rows ?? 11701;
  const cols = opts.cols ?? 300;
  const rng = makeRng(opts.seed ?? 1);
  const centroidRng = makeRng(7);
  const weights = opts.classWeights ?? WIKICS_CLASS_SIZES;
  const k = weights.length;
  const centroids = Array.from({ length: k }, () =>
    Float64Array.from({ length: cols }, () => 0.1 * gaussian(centroidRng)),
  );
  const cum: number[] = [];
  weights.reduce((acc, w) => {
    cum.push(acc + w);
    return acc + w;
  }, 0);
  const features = new Float32Array(rows * cols);
  const labels = new Int32Array(rows);
  const predictions = new Int32Array(rows);
  const degrees = new Int32Array(rows);
  const subgraphSizes = new Int32Array(rows);
  const accuracy = opts.accuracy ?? 0.8;
  for (let r = 0; r < rows; r++) {
    const y = pickClass(rng, cum);
    labels[r] = y;
    predictions[r] = rng() < accuracy ? y : Math.floor(rng() * k);
    const c = centroids[y];
    for (let j = 0; j < cols; j++) features[r * cols + j] = Math.round((c[j] + 0.42 * gaussian(rng)) * 1e5) / 1e5;
    const d = Math.max(1, Math.round(6 * (1 - rng()) ** (-1 / 1.6)));
    degrees[r] = Math.min(d, 3000);
    subgraphSizes[r] = 1 + degrees[r] + Math.round(degrees[r] * (4 + 12 * rng()));
  }
  return { features, rows, cols, labels, predictions, degrees, subgraphSizes };
}

/** Rows drawn without replacement from a window (a clean window "sampled from the reference"). */
export function sampleRows<T extends SyntheticGraphWindow>(src: T, rows: number, seed: number): SyntheticGraphWindow {
  const rng = makeRng(seed);
  const idx = Int32Array.from({ length: src.rows }, (_, i) => i);
  const take = Math.min(rows, src.rows);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng() * (src.rows - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const cols = src.cols;
  const features = new Float32Array(take * cols);
  const pick = <A extends Int32Array>(a: A) => Int32Array.from({ length: take }, (_, i) => a[idx[i]]);
  for (let i = 0; i < take; i++) features.set(src.features.subarray(idx[i] * cols, (idx[i] + 1) * cols), i * cols);
  return {
    features,
    rows: take,
    cols,
    labels: pick(src.labels),
    predictions: pick(src.predictions),
    degrees: pick(src.degrees),
    subgraphSizes: pick(src.subgraphSizes),
  };
}

export interface DriftSpec {
  /** Add shift × (feature std) to every affected feature (default 0). */
  shift?: number;
  /** Add Gaussian noise of noise × (feature std) (default 0). */
  noise?: number;
  /** Share of feature columns affected (default 1). */
  fraction?: number;
  /** Relabel this share of predictions to class `toClass` (a class-mix change; default 0). */
  classMix?: number;
  toClass?: number;
  /** Multiply degrees by this factor (default 1). */
  degreeScale?: number;
  seed?: number;
}

/** Apply a drift to a copy of a window: feature shift, noise, class-mix change, degree change. */
export function applyDrift<T extends SyntheticGraphWindow>(w: T, spec: DriftSpec): SyntheticGraphWindow {
  const rng = makeRng(spec.seed ?? 99);
  const { rows, cols } = w;
  const features = Float32Array.from(w.features);
  const affected = Math.round(cols * (spec.fraction ?? 1));
  for (let j = 0; j < affected; j++) {
    let s = 0;
    let ss = 0;
    for (let r = 0; r < rows; r++) {
      const v = w.features[r * cols + j];
      s += v;
      ss += v * v;
    }
    const mean = s / rows;
    const std = Math.sqrt(Math.max(ss / rows - mean * mean, 1e-12));
    for (let r = 0; r < rows; r++) {
      const i = r * cols + j;
      features[i] += (spec.shift ?? 0) * std + (spec.noise ? spec.noise * std * gaussian(rng) : 0);
    }
  }
  const predictions = Int32Array.from(w.predictions);
  if (spec.classMix) for (let r = 0; r < rows; r++) if (rng() < spec.classMix) predictions[r] = spec.toClass ?? 0;
  const scale = spec.degreeScale ?? 1;
  const degrees = scale === 1 ? w.degrees : Int32Array.from(w.degrees, (d) => Math.max(1, Math.round(d * scale)));
  const subgraphSizes =
    scale === 1 ? w.subgraphSizes : Int32Array.from(w.subgraphSizes, (d) => Math.max(1, Math.round(d * scale)));
  return { features, rows, cols, labels: w.labels, predictions, degrees, subgraphSizes };
}

/**
 * Reference profiles on disk: one JSON document. Knot arrays are base64 little-endian binary so that a
 * WikiCS profile (300 × 1001 knots) stays about 1.6 MB: float32 for quantile knots (the sketch is already an
 * approximation at 1e-3 in probability, float32 adds < 1e-7 relative), float64 for exact-kind values so that
 * ties with current values stay exact. For exact sketches the per-value counts are stored instead of the CDF.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { PROFILE_FORMAT, type ReferenceProfile } from './profile.js';
import type { NumericSketch } from './sketch.js';

function b64(arr: Float32Array | Float64Array | Uint32Array): string {
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).toString('base64');
}

function fromB64<T>(s: string, bytes: number, where: string, make: (buf: ArrayBuffer, len: number) => T): T {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % bytes !== 0)
    throw new Error(`${where}: binary length ${buf.byteLength} is not a multiple of ${bytes}`);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return make(copy, buf.byteLength / bytes);
}

const sketchJson = z.strictObject({
  kind: z.enum(['exact', 'quantile']),
  n: z.number().int().positive(),
  mean: z.number(),
  std: z.number().min(0),
  min: z.number(),
  max: z.number(),
  distinct: z.number().int().positive(),
  x: z.string(),
  dtype: z.enum(['f32', 'f64']),
  counts: z.string().optional(),
});
type SketchJson = z.infer<typeof sketchJson>;

const profileJson = z.strictObject({
  format: z.literal(PROFILE_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  quantiles: z.number().int().positive(),
  featureNames: z.array(z.string()).optional(),
  features: z.array(sketchJson),
  missing: z.array(z.number().int().min(0)),
  predictions: z.strictObject({ n: z.number().int().min(0), counts: z.array(z.number().int().min(0)) }).optional(),
  degrees: sketchJson.optional(),
  subgraphSizes: sketchJson.optional(),
  ood: z.strictObject({ nodes: sketchJson.optional(), subgraph: sketchJson.optional() }).optional(),
  meta: z.record(z.string(), z.unknown()),
});

function encodeSketch(s: NumericSketch): SketchJson {
  const base = { kind: s.kind, n: s.n, mean: s.mean, std: s.std, min: s.min, max: s.max, distinct: s.distinct };
  if (s.kind === 'quantile') return { ...base, x: b64(Float32Array.from(s.x)), dtype: 'f32' };
  const counts = new Uint32Array(s.x.length);
  for (let i = 0; i < s.x.length; i++) counts[i] = Math.round((s.F[i] - (i > 0 ? s.F[i - 1] : 0)) * s.n);
  return { ...base, x: b64(s.x), dtype: 'f64', counts: b64(counts) };
}

function decodeSketch(j: SketchJson, quantiles: number, where: string): NumericSketch {
  const x =
    j.dtype === 'f32'
      ? Float64Array.from(fromB64(j.x, 4, `${where}.x`, (b, n) => new Float32Array(b, 0, n)))
      : fromB64(j.x, 8, `${where}.x`, (b, n) => new Float64Array(b, 0, n));
  const F = new Float64Array(x.length);
  if (j.kind === 'quantile') {
    if (x.length !== quantiles + 1) throw new Error(`${where}: ${x.length} knots, expected ${quantiles + 1}`);
    for (let k = 0; k <= quantiles; k++) F[k] = k / quantiles;
  } else {
    if (!j.counts) throw new Error(`${where}: exact sketch without counts`);
    const counts = fromB64(j.counts, 4, `${where}.counts`, (b, n) => new Uint32Array(b, 0, n));
    if (counts.length !== x.length) throw new Error(`${where}: ${counts.length} counts for ${x.length} values`);
    let acc = 0;
    for (let i = 0; i < x.length; i++) {
      acc += counts[i];
      F[i] = acc / j.n;
    }
    if (acc !== j.n) throw new Error(`${where}: counts sum to ${acc}, expected n = ${j.n}`);
  }
  for (let i = 1; i < x.length; i++) if (!(x[i] >= x[i - 1])) throw new Error(`${where}: knots not ascending at ${i}`);
  return { kind: j.kind, n: j.n, mean: j.mean, std: j.std, min: j.min, max: j.max, distinct: j.distinct, x, F };
}

/** Serialise a profile to its JSON text. */
export function serializeProfile(p: ReferenceProfile): string {
  const doc = {
    format: p.format,
    version: p.version,
    createdAt: p.createdAt,
    rows: p.rows,
    cols: p.cols,
    quantiles: p.quantiles,
    ...(p.featureNames ? { featureNames: p.featureNames } : {}),
    features: p.features.map(encodeSketch),
    missing: p.missing,
    ...(p.predictions ? { predictions: p.predictions } : {}),
    ...(p.degrees ? { degrees: encodeSketch(p.degrees) } : {}),
    ...(p.subgraphSizes ? { subgraphSizes: encodeSketch(p.subgraphSizes) } : {}),
    ...(p.ood
      ? {
          ood: {
            ...(p.ood.nodes ? { nodes: encodeSketch(p.ood.nodes) } : {}),
            ...(p.ood.subgraph ? { subgraph: encodeSketch(p.ood.subgraph) } : {}),
          },
        }
      : {}),
    meta: p.meta,
  };
  return JSON.stringify(doc);
}

/** Parse and validate a profile's JSON text; a malformed document is a DATA_INVALID error naming the problem. */
export function parseProfile(text: string, source = 'profile'): ReferenceProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GnnopsError(ErrorCodes.DATA_INVALID, `${source}: not JSON (${(e as Error).message})`, { source });
  }
  const parsed = profileJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GnnopsError(
      ErrorCodes.DATA_INVALID,
      `${source}: not a gnnops drift profile: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      { source, path: issue.path.join('.') },
    );
  }
  const j = parsed.data;
  if (j.features.length !== j.cols || j.missing.length !== j.cols)
    throw new GnnopsError(
      ErrorCodes.DATA_INVALID,
      `${source}: ${j.features.length} feature sketches for ${j.cols} cols`,
    );
  try {
    const profile: ReferenceProfile = {
      format: PROFILE_FORMAT,
      version: 1,
      createdAt: j.createdAt,
      rows: j.rows,
      cols: j.cols,
      quantiles: j.quantiles,
      features: j.features.map((s, i) => decodeSketch(s, j.quantiles, `features[${i}]`)),
      missing: j.missing,
      meta: j.meta,
    };
    if (j.featureNames) profile.featureNames = j.featureNames;
    if (j.predictions) profile.predictions = j.predictions;
    if (j.degrees) profile.degrees = decodeSketch(j.degrees, j.quantiles, 'degrees');
    if (j.subgraphSizes) profile.subgraphSizes = decodeSketch(j.subgraphSizes, j.quantiles, 'subgraphSizes');
    if (j.ood) {
      profile.ood = {};
      if (j.ood.nodes) profile.ood.nodes = decodeSketch(j.ood.nodes, j.quantiles, 'ood.nodes');
      if (j.ood.subgraph) profile.ood.subgraph = decodeSketch(j.ood.subgraph, j.quantiles, 'ood.subgraph');
    }
    return profile;
  } catch (e) {
    if (e instanceof GnnopsError) throw e;
    throw new GnnopsError(ErrorCodes.DATA_INVALID, `${source}: ${(e as Error).message}`, { source });
  }
}

export function writeProfile(path: string, p: ReferenceProfile): void {
  writeFileAtomic(path, serializeProfile(p));
}

export function readProfile(path: string): ReferenceProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new GnnopsError(ErrorCodes.DATA_NOT_FOUND, `reference profile ${path} cannot be read`, { path });
  }
  return parseProfile(text, path);
}

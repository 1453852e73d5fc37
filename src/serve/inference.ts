import { argmaxRows } from '../engine/index.js';
import { graphOodScores, oodScores } from '../monitor/ood.js';
import type { RequestLogEntry } from '../request-log/types.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { ServeContext } from './context.js';
import { requestError } from './errors.js';
import { type ServedModel, softmaxWithTemperature } from './model.js';
import type { SubgraphInput } from './validate.js';

/** Class and top probability per row of an n × C probability matrix. */
function topClasses(p: Float32Array, n: number, C: number): { classes: Int32Array; confidence: Float32Array } {
  const confidence = new Float32Array(n);
  return { classes: argmaxRows(p, n, C, confidence), confidence };
}

/** Row-major n × C → nested rows for JSON. */
export function toRows(p: Float32Array, n: number, C: number): number[][] {
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Array.from(p.subarray(i * C, (i + 1) * C));
  return out;
}

/** In-degree of each node (edges src → dst counted at dst), its mean and max. */
export function degreeStats(dst: Int32Array, n: number): { degrees: Int32Array; mean: number; max: number } {
  const degrees = new Int32Array(n);
  for (let k = 0; k < dst.length; k++) degrees[dst[k]]++;
  let max = 0;
  for (let i = 0; i < n; i++) if (degrees[i] > max) max = degrees[i];
  return { degrees, mean: n > 0 ? dst.length / n : 0, max };
}

/**
 * The model's output must be rows × C finite numbers. A wrong size is a server fault (500). Non-finite values
 * come from inputs that overflow the forward pass (features near the float32 limit): a 422 about the input.
 */
function checkOutput(model: ServedModel, p: Float32Array, rows: number, field: string): void {
  if (!(p instanceof Float32Array) || p.length !== rows * model.numClasses) {
    throw new GnnopsError(
      ErrorCodes.INTERNAL,
      `model ${model.name}/${model.version} returned ${p.length} probabilities, expected ${rows} × ${model.numClasses}`,
    );
  }
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) {
      throw requestError(
        ErrorCodes.INVALID_ARGUMENT,
        field,
        `the model's output for node ${Math.floor(i / model.numClasses)} is not finite: the feature values overflow the forward pass`,
      );
    }
  }
}

export interface Prediction {
  probs: Float32Array;
  classes: Int32Array;
  confidence: Float32Array;
  /** The softmax temperature behind `probs` (1 = raw). */
  temperature: number;
  /** GNNSafe energy score per node (src/monitor/ood.ts), when asked for. */
  ood?: Float64Array;
}

/** What a request asks of the forward pass beyond the classes. */
export interface PredictOptions {
  /** Calibrated (the version's temperature) or raw (T = 1) probabilities; default serve.calibrated. */
  calibrated?: boolean;
  /** Compute the per-node OOD score; default serve.ood_score. */
  ood?: boolean;
}

/**
 * The probabilities at the temperature asked for. A model with logits gives softmax(logits / T) for T = its
 * calibration temperature (calibrated) or 1 (raw); one without serves its own probabilities at its own temperature.
 */
async function forward(
  model: ServedModel,
  calibrated: boolean,
  logits: (() => Float32Array | Promise<Float32Array>) | undefined,
  probs: () => Float32Array | Promise<Float32Array>,
  rows: number,
): Promise<{ probs: Float32Array; temperature: number; logits?: Float32Array }> {
  const own = model.temperature ?? 1;
  if (!logits) return { probs: await probs(), temperature: own };
  const z = await logits();
  if (!(z instanceof Float32Array) || z.length !== rows * model.numClasses) {
    throw new GnnopsError(
      ErrorCodes.INTERNAL,
      `model ${model.name}/${model.version} returned ${z.length} logits, expected ${rows} × ${model.numClasses}`,
    );
  }
  const temperature = calibrated ? own : 1;
  return { probs: softmaxWithTemperature(z, rows, model.numClasses, temperature), temperature, logits: z };
}

/** OOD scores need the logits (and, for stored nodes, the stored graph's edges). */
function noOodError(model: ServedModel, what: string): GnnopsError {
  return requestError(
    ErrorCodes.NOT_AVAILABLE,
    'ood_score',
    `model ${model.name}/${model.version} ${what}, so OOD scores are not available; send ood_score: false`,
  );
}

// GNNSafe's scores of every stored node, over the whole stored graph: computed on the first request that asks
const storedScores = new WeakMap<ServedModel, Promise<Float64Array>>();

function storedOodScores(model: ServedModel): Promise<Float64Array> {
  let s = storedScores.get(model);
  if (!s) {
    const g = model.graph;
    const logitsNodes = model.logitsNodes?.bind(model);
    if (!g?.indptr || !g.indices || !logitsNodes)
      throw noOodError(model, 'does not expose its stored graph and logits');
    const { indptr, indices } = g;
    s = (async () => {
      const all = Int32Array.from({ length: g.numNodes }, (_, i) => i);
      const z = await logitsNodes(all);
      return graphOodScores(z, g.numNodes, model.numClasses, indptr, indices);
    })();
    storedScores.set(model, s);
    // a failed computation is not cached
    s.catch(() => storedScores.delete(model));
  }
  return s;
}

/** Forward one subgraph, record metrics and queue the log row. */
export async function predictSubgraph(
  ctx: ServeContext,
  model: ServedModel,
  sg: SubgraphInput,
  meta: { route: string; requestId: string; item: number },
  opts: PredictOptions = {},
): Promise<Prediction> {
  const t0 = performance.now();
  const logits = model.logitsSubgraph?.bind(model);
  const wantOod = opts.ood ?? ctx.config.ood_score;
  if (wantOod && !logits) throw noOodError(model, 'gives no logits');
  const f = await forward(
    model,
    opts.calibrated ?? ctx.config.calibrated,
    logits && (() => logits(sg.x, sg.n, sg.src, sg.dst)),
    () => model.predictSubgraph(sg.x, sg.n, sg.src, sg.dst),
    sg.n,
  );
  const { probs, temperature } = f;
  const ood = wantOod && f.logits ? oodScores(f.logits, model.numClasses, sg.src, sg.dst) : undefined;
  const ms = performance.now() - t0;
  checkOutput(model, probs, sg.n, 'x');
  ctx.metrics.inference.observe({ kind: 'subgraph' }, ms / 1000);
  const { classes, confidence } = topClasses(probs, sg.n, model.numClasses);
  ctx.metrics.countPredictions(classes, model.numClasses, model.classNames);
  if (ctx.requestLog) {
    const deg = degreeStats(sg.dst, sg.n);
    const row: RequestLogEntry = {
      ts: Date.now(),
      requestId: meta.requestId,
      item: meta.item,
      route: meta.route,
      model: model.name,
      version: model.version,
      kind: 'subgraph',
      numNodes: sg.n,
      numEdges: sg.src.length,
      numFeatures: sg.numFeatures,
      meanDegree: deg.mean,
      maxDegree: deg.max,
      features: ctx.sample() ? sg.x : null,
      nodeIds: null,
      degrees: deg.degrees,
      predictions: classes,
      confidence,
      temperature,
      oodScore: ood ? Float32Array.from(ood) : null,
      inferenceMs: ms,
    };
    ctx.requestLog.push(row);
  }
  return { probs, classes, confidence, temperature, ...(ood ? { ood } : {}) };
}

/** Classify stored nodes, record metrics and queue the log row. */
export async function predictNodes(
  ctx: ServeContext,
  model: ServedModel,
  ids: Int32Array,
  meta: { route: string; requestId: string },
  opts: PredictOptions = {},
): Promise<Prediction> {
  const t0 = performance.now();
  const logits = model.logitsNodes?.bind(model);
  const wantOod = opts.ood ?? ctx.config.ood_score;
  const stored = wantOod ? await storedOodScores(model) : undefined;
  const { probs, temperature } = await forward(
    model,
    opts.calibrated ?? ctx.config.calibrated,
    logits && (() => logits(ids)),
    () => model.predictNodes(ids),
    ids.length,
  );
  const ood = stored ? Float64Array.from(ids, (i) => stored[i]) : undefined;
  const ms = performance.now() - t0;
  checkOutput(model, probs, ids.length, 'node_ids');
  ctx.metrics.inference.observe({ kind: 'nodes' }, ms / 1000);
  const { classes, confidence } = topClasses(probs, ids.length, model.numClasses);
  ctx.metrics.countPredictions(classes, model.numClasses, model.classNames);
  if (ctx.requestLog) {
    const stored = model.graph?.degrees;
    const degrees = new Int32Array(ids.length);
    let sum = 0;
    let max = 0;
    if (stored) {
      for (let k = 0; k < ids.length; k++) {
        const d = stored[ids[k]];
        degrees[k] = d;
        sum += d;
        if (d > max) max = d;
      }
    }
    ctx.requestLog.push({
      ts: Date.now(),
      requestId: meta.requestId,
      item: 0,
      route: meta.route,
      model: model.name,
      version: model.version,
      kind: 'nodes',
      numNodes: ids.length,
      numEdges: 0,
      numFeatures: model.numFeatures,
      meanDegree: ids.length > 0 ? sum / ids.length : 0,
      maxDegree: max,
      features: null,
      nodeIds: ids,
      degrees,
      predictions: classes,
      confidence,
      temperature,
      oodScore: ood ? Float32Array.from(ood) : null,
      inferenceMs: ms,
    });
  }
  return { probs, classes, confidence, temperature, ...(ood ? { ood } : {}) };
}

/**
 * Before/after measurements of a variant, side by side in one process, through the same served-model path the
 * server uses (loadPredictor for the native engine, onnxServedModel for ONNX Runtime):
 *   - accuracy on the checkpoint's split (val) and the test mask, from the full-graph probabilities;
 *   - max |Δprob| and top-1 agreement of the variant against the source over every node of the graph;
 *   - latency: load + full-graph pass (what a server pays at load/hot reload; median of `repeats` after a warm-up), and one
 *     request-sized subgraph (20 dataset nodes with their real features, ring + chords = 80 directed edges, as the
 *     load test's `/predict` client; median of `requests` calls). Source and variant alternate so that machine
 *     load affects both alike.
 */
import type { GraphData } from '../../data/graph.js';
import { argmaxRows } from '../../engine/index.js';
import type { LoadedCheckpoint } from '../../nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../nn/export/onnx/gcn.js';
import type { Runtime, ServedModel } from '../../serve/model.js';
import { loadPredictor } from '../../serve/native/predictor.js';
import { onnxServedModel } from '../../serve/onnx/served-model.js';
import { mulberry32 } from '../../util/random.js';
import { requestEdges } from './request-edges.js';

/** One side (source or variant) as a served model: a checkpoint file, and for ONNX the exported model bytes. */
export interface Side {
  name: string;
  version: string;
  checkpointPath: string;
  ckpt: LoadedCheckpoint;
  /** The ONNX model to serve with runtime onnx (default: the float export of `ckpt`). */
  onnx?: Uint8Array;
}

export interface SideMetrics {
  test_acc: number;
  val_acc: number;
  /** Median ms of loading the served model, including its one full-graph forward. */
  load_full_graph_ms: number;
  /** Median ms of one subgraph request (predictSubgraph). */
  subgraph_ms: number;
}

export interface RuntimeComparison {
  runtime: Runtime;
  source: SideMetrics;
  variant: SideMetrics;
  /** max over nodes and classes of |p_variant − p_source| on the full graph. */
  max_abs_dprob: number;
  /** Share of nodes whose predicted class is unchanged. */
  top1_agreement: number;
  /** Predicted class of every node under the variant (for the drift reference profile). */
  variantPredictions: Int32Array;
  /** The variant's logits on every node, when its runtime gives them (the reference profile's OOD scores). */
  variantLogits?: Float32Array;
}

export interface MeasureOptions {
  /** Timed full-graph loads per side (default 3, after one untimed warm-up load each). */
  repeats?: number;
  /** Timed subgraph requests per side (default 200, after 20 warm-up calls). */
  requests?: number;
  onStep?(label: string): void;
}

/** The subgraph request: `n` distinct dataset nodes (seeded), their features, a ring and chords in both directions. */
export function requestSubgraph(
  data: GraphData,
  n = 20,
  seed = 7,
): { x: Float32Array; n: number; src: Int32Array; dst: Int32Array } {
  const r = mulberry32(seed);
  const k = Math.min(n, data.numNodes);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(Math.floor(r() * data.numNodes));
  const ids = [...picked];
  const F = data.numFeatures;
  const x = new Float32Array(k * F);
  for (const [i, id] of ids.entries()) x.set(data.features.subarray(id * F, (id + 1) * F), i * F);
  const [src, dst] = requestEdges(k);
  return { x, n: k, src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function accuracy(classes: Int32Array, labels: Int32Array, mask: Uint8Array): number {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || labels[i] < 0) continue;
    total++;
    if (classes[i] === labels[i]) hit++;
  }
  return total ? hit / total : Number.NaN;
}

async function load(side: Side, data: GraphData, runtime: Runtime): Promise<ServedModel> {
  if (runtime === 'native') return loadPredictor(side.checkpointPath, data, { name: side.name, version: side.version });
  const { numFeatures, numClasses } = side.ckpt.meta.dims;
  return onnxServedModel({
    name: side.name,
    version: side.version,
    model: side.onnx ?? exportGcnOnnx(gcnWeightsFromCheckpoint(side.ckpt)),
    numFeatures,
    numClasses,
    graph: data,
  });
}

/** Compare source and variant under one runtime on `data`, evaluated on split `split`. */
export async function compareSides(
  source: Side,
  variant: Side,
  data: GraphData,
  split: number,
  runtime: Runtime,
  o: MeasureOptions = {},
): Promise<RuntimeComparison> {
  const repeats = Math.max(1, o.repeats ?? 3);
  const requests = Math.max(1, o.requests ?? 200);
  const sides = [source, variant];
  const loadMs: number[][] = [[], []];
  const served: (ServedModel | null)[] = [null, null];
  // round 0 is an untimed warm-up (JIT, caches), so that neither side pays it alone; the order alternates
  // (source first, then variant first …) so that neither side always runs in the other's garbage
  for (let r = 0; r <= repeats; r++) {
    for (const s of r % 2 ? [1, 0] : [0, 1]) {
      o.onStep?.(
        `${runtime}: load + full-graph pass, ${s === 0 ? 'source' : 'variant'} (${r === 0 ? 'warm-up' : `${r}/${repeats}`})`,
      );
      const t0 = performance.now();
      const m = await load(sides[s], data, runtime);
      if (r > 0) loadMs[s].push(performance.now() - t0);
      await served[s]?.close?.();
      served[s] = m;
    }
  }
  const [a, b] = served as ServedModel[];
  try {
    const C = a.numClasses;
    const all = Int32Array.from({ length: data.numNodes }, (_, i) => i);
    const pa = await a.predictNodes(all);
    const pb = await b.predictNodes(all);
    let maxD = 0;
    for (let k = 0; k < pa.length; k++) maxD = Math.max(maxD, Math.abs(pa[k] - pb[k]));
    const ca = argmaxRows(pa, data.numNodes, C);
    const predictions = argmaxRows(pb, data.numNodes, C);
    const variantLogits = b.logitsNodes ? await b.logitsNodes(all) : undefined;
    let agree = 0;
    for (let i = 0; i < data.numNodes; i++) if (ca[i] === predictions[i]) agree++;
    o.onStep?.(`${runtime}: subgraph requests`);
    const req = requestSubgraph(data);
    const times: number[][] = [[], []];
    for (let w = 0; w < 20; w++) for (const m of served) await m!.predictSubgraph(req.x, req.n, req.src, req.dst);
    // alternate blocks of 10 calls so that both sides see the same machine load
    for (let done = 0; done < requests; done += 10) {
      for (const s of (done / 10) % 2 ? [1, 0] : [0, 1]) {
        for (let k = 0; k < Math.min(10, requests - done); k++) {
          const t0 = performance.now();
          await served[s]!.predictSubgraph(req.x, req.n, req.src, req.dst);
          times[s].push(performance.now() - t0);
        }
      }
    }
    const split0 = data.splits[split];
    const side = (classes: Int32Array, s: number): SideMetrics => ({
      test_acc: accuracy(classes, data.labels, data.testMask),
      val_acc: accuracy(classes, data.labels, split0.val),
      load_full_graph_ms: median(loadMs[s]),
      subgraph_ms: median(times[s]),
    });
    return {
      runtime,
      source: side(ca, 0),
      variant: side(predictions, 1),
      max_abs_dprob: maxD,
      top1_agreement: agree / data.numNodes,
      variantPredictions: predictions,
      ...(variantLogits ? { variantLogits } : {}),
    };
  } finally {
    await a.close?.();
    await b.close?.();
  }
}

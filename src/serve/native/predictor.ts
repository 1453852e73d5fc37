/**
 * A trained checkpoint as a `ServedModel` (src/serve/model.ts) for the server:
 *  - `predictSubgraph` runs the model on the request's own subgraph (its edges, self-loops and normalisation built
 *    per request, as PyG would on that edge_index) and returns softmax(logits / T) probabilities, T the version's
 *    calibration temperature (`temperature` option; 1 without one); `logitsSubgraph` returns the logits themselves;
 *  - `predictNodes` / `logitsNodes` are row lookups into the full-graph logits computed once when the model is
 *    loaded.
 * Subgraph requests run on a single-threaded wasm backend: SIMD kernels on the calling thread, without the thread
 * dispatch that would cost more than it saves on small inputs (a CPU profile of /predict load showed the plain-TS
 * reference GEMM at ~11% of server CPU before). The one full-graph pass uses the process backend.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { GraphData } from '../../data/graph.js';
import { loadDataset } from '../../data/load.js';
import { type Backend, createBackend, getBackend, Rng, structureFromEdges, Tape } from '../../engine/index.js';
import { explainNode } from '../../explain/explain.js';
import { explanationJson } from '../../explain/json.js';
import { decodeCheckpoint, type LoadedCheckpoint, readCheckpoint, restoreModel } from '../../nn/checkpoint.js';
import { GCNConv } from '../../nn/conv/gcn-conv.js';
import { GraphContext } from '../../nn/graph-context.js';
import type { NodeModel } from '../../nn/models/model.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { sha256 } from '../../util/fs.js';
import { log } from '../../util/logger.js';
import { noGraphError, type ServedModel, softmaxWithTemperature } from '../model.js';

export interface PredictorOptions {
  /** Registered name (default: the checkpoint file name). */
  name?: string;
  /** Registry version (default: the first 12 hex digits of the checkpoint's sha256). */
  version?: string;
  info?: ServedModel['info'];
  /** Backend for the full-graph pass (default: the process backend). */
  backend?: Backend;
  /** Softmax temperature of the served probabilities (the version's calibration; default 1 = raw). */
  temperature?: number;
}

/** Runs `model` (evaluation mode) on features x (n × F) over `graph`; returns the n × C logits. */
function runModel(tape: Tape, model: NodeModel, graph: GraphContext, x: Float32Array, n: number): Float32Array {
  const c = model.dims.numClasses;
  const feats = tape.tensor(x, [n, model.dims.numFeatures]);
  const out = new Float32Array(n * c);
  try {
    tape.noGrad(() => {
      out.set(model.forward(feats, { graph, training: false, rng: NO_RNG }).data.subarray(0, n * c));
    });
  } finally {
    tape.reset();
    feats.dispose();
  }
  return out;
}

let subgraphBe: Backend | undefined;

/** One process-wide backend for request-sized forwards: wasm on 1 thread, or the reference kernels when the process
 * runs on them (GNNOPS_BACKEND=reference) or the wasm build is missing. */
function subgraphBackend(): Backend {
  if (!subgraphBe) {
    try {
      subgraphBe =
        getBackend().name === 'wasm'
          ? createBackend({ name: 'wasm', threads: 1 })
          : createBackend({ name: 'reference', dtype: 'f32' });
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'subgraph inference falls back to the reference kernels');
      subgraphBe = createBackend({ name: 'reference', dtype: 'f32' });
    }
  }
  return subgraphBe;
}

// Evaluation never draws from the dropout stream (dropout is the identity when not training).
const NO_RNG = new Rng(0);

function disableInputReuse(model: NodeModel): void {
  for (const l of model.stack.layers) if (l instanceof GCNConv) l.reuseInput = false;
}

/** Checks that a graph fits the checkpoint (feature and class counts); warns when its content hash differs. */
function checkGraph(ckpt: LoadedCheckpoint, g: GraphData, source: string): void {
  const { numFeatures, numClasses } = ckpt.meta.dims;
  if (g.numFeatures !== numFeatures || g.numClasses !== numClasses) {
    throw new GnnopsError(
      ErrorCodes.CHECKPOINT_INVALID,
      `${source}: the graph "${g.name}" has ${g.numFeatures} features / ${g.numClasses} classes, the model expects ${numFeatures} / ${numClasses}`,
      { numFeatures: g.numFeatures, expected: numFeatures },
    );
  }
  if (g.hash !== ckpt.meta.dataset.hash) {
    log.warn(
      { checkpoint: source, trained_on: ckpt.meta.dataset.hash, graph: g.hash },
      'serving a graph whose content differs from the training data',
    );
  }
}

/** The native model: synchronous predictions (the server's interface also allows promises, for other runtimes). */
export interface Predictor extends ServedModel {
  readonly temperature: number;
  predictSubgraph(x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array;
  predictNodes(ids: Int32Array): Float32Array;
  logitsSubgraph(x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array;
  logitsNodes(ids: Int32Array): Float32Array;
}

export function loadPredictor(checkpointPath: string, graph?: GraphData, opts: PredictorOptions = {}): Predictor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(checkpointPath);
  } catch (e) {
    throw new GnnopsError(ErrorCodes.NOT_FOUND, `checkpoint not found: ${checkpointPath} (${(e as Error).message})`, {
      path: checkpointPath,
    });
  }
  const ckpt = decodeCheckpoint(bytes, checkpointPath);
  const { numFeatures, numClasses } = ckpt.meta.dims;
  const small = new Tape(subgraphBackend());
  const model = restoreModel(small, ckpt);
  disableInputReuse(model);

  const temperature = opts.temperature ?? 1;
  let full: Float32Array | null = null;
  let degrees: Int32Array | undefined;
  if (graph) {
    checkGraph(ckpt, graph, checkpointPath);
    const be = opts.backend ?? getBackend();
    const tape = new Tape(be);
    const big = restoreModel(tape, ckpt);
    const ctx = new GraphContext(be, graph);
    try {
      full = runModel(tape, big, ctx, graph.features, graph.numNodes);
    } finally {
      ctx.dispose();
      big.dispose();
    }
    degrees = new Int32Array(graph.numNodes);
    for (let i = 0; i < graph.numNodes; i++) degrees[i] = graph.indptr[i + 1] - graph.indptr[i];
  }
  const name = opts.name ?? basename(checkpointPath).replace(/\.safetensors$/, '');
  const version = opts.version ?? sha256(bytes).slice(0, 12);

  const logitsSubgraph = (x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array => {
    const ctx = new GraphContext(small.backend, structureFromEdges(n, src, dst));
    try {
      return runModel(small, model, ctx, x, n);
    } finally {
      ctx.dispose();
    }
  };
  const logitsNodes = (ids: Int32Array): Float32Array => {
    if (!full) {
      throw noGraphError({ name, version });
    }
    const out = new Float32Array(ids.length * numClasses);
    for (let r = 0; r < ids.length; r++)
      out.set(full.subarray(ids[r] * numClasses, (ids[r] + 1) * numClasses), r * numClasses);
    return out;
  };
  const served: Predictor = {
    name,
    version,
    numFeatures,
    numClasses,
    temperature,
    ...(ckpt.meta.classNames ? { classNames: ckpt.meta.classNames } : {}),
    logitsSubgraph,
    logitsNodes,
    predictSubgraph: (x, n, src, dst) =>
      softmaxWithTemperature(logitsSubgraph(x, n, src, dst), n, numClasses, temperature),
    predictNodes: (ids) => softmaxWithTemperature(logitsNodes(ids), ids.length, numClasses, temperature),
    info: opts.info ?? {
      metrics: ckpt.meta.metrics,
      lineage: {
        dataset: ckpt.meta.dataset.name,
        dataset_hash: ckpt.meta.dataset.hash,
        split: ckpt.meta.split,
        model: ckpt.meta.model.name,
      },
    },
    close() {
      model.dispose();
    },
  };
  if (graph) {
    const g = { structure: graph, features: graph.features, numFeatures: graph.numFeatures };
    // Explanations run on the request-sized tape and model: a computation subgraph is request-sized too.
    served.explainNodes = (ids, o) =>
      Array.from(ids, (v, k) =>
        explanationJson(
          explainNode(small, model, g, v, {
            method: o.method,
            topK: o.topK,
            timeLimit: { ms: o.timeLimitMs, error: (_node, ms) => o.timeLimitError(k, ms) },
          }),
          ckpt.meta.classNames,
          graph.nodeIds,
        ),
      );
    Object.assign(served, {
      graph: {
        name: graph.name,
        numNodes: graph.numNodes,
        nodeIds: graph.nodeIds,
        titles: graph.titles,
        labels: graph.labels,
        degrees,
        indptr: graph.indptr,
        indices: graph.indices,
      },
    });
  }
  return served;
}

/** The graph a checkpoint was trained on, loaded through the data cache from the checkpoint's own data config. */
export async function loadCheckpointGraph(checkpointPath: string, mirror?: string): Promise<GraphData> {
  const ckpt = readCheckpoint(checkpointPath);
  return loadDataset(ckpt.meta.config.data, { mirror, progress: false });
}

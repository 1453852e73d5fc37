/**
 * What the server needs from a model. The server never sees layers, engines or runtimes: a loader (native GCN
 * forward, ONNX, a test fixture) turns a registry reference or checkpoint into a ServedModel, and the server only
 * calls the two predict methods. Implementations must be safe to call while another ServedModel is being loaded
 * (hot reload swaps the reference between requests) and must not mutate their inputs.
 */

import type { StorageConfig } from '../config/sections/storage.js';
import { softmaxRows } from '../engine/index.js';
import type { ExplanationJson } from '../explain/json.js';
import type { ExplainMethod } from '../explain/methods.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

export interface ServedModel {
  /** Registered model name (e.g. `wikics-gcn`) or the checkpoint's file name. */
  readonly name: string;
  /** Registry version (`3`) or a checkpoint digest prefix. */
  readonly version: string;
  /** F: feature columns each node of a subgraph must have. */
  readonly numFeatures: number;
  /** C: output classes. */
  readonly numClasses: number;
  /** Class names, index = class id (WikiCS: the 10 computer-science areas). */
  readonly classNames?: readonly string[];
  /**
   * The calibration temperature of this version (fitted on the validation mask when it was registered), or 1 when
   * it has none. predictSubgraph/predictNodes return probabilities at this temperature, softmax(logits / T);
   * absent = 1.
   */
  readonly temperature?: number;
  /**
   * Run the GNN on a request's own subgraph.
   * @param x row-major n × F features (finite, validated by the server)
   * @param n number of nodes (≥ 1)
   * @param src edge sources, each in [0, n)
   * @param dst edge targets, each in [0, n); messages flow src → dst
   * @returns row-major n × C class probabilities (rows sum to 1) at `temperature`, or a promise of them (ONNX
   * Runtime runs async)
   */
  predictSubgraph(x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array | Promise<Float32Array>;
  /**
   * The class scores before the softmax (row-major n × C logits) for the same inputs as predictSubgraph. A model
   * with both logits methods lets the server choose the temperature per request (calibrated or raw) and compute
   * energy-based OOD scores; one without serves its probabilities as they are.
   */
  logitsSubgraph?(x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array | Promise<Float32Array>;
  /**
   * Classify nodes of the served dataset's graph using their stored neighbourhoods. Ids are validated against
   * `graph.numNodes` by the server. A real model should precompute the full-graph output once at load, so that
   * this is a row lookup.
   * @returns row-major ids.length × C class probabilities (or a promise of them)
   */
  predictNodes(ids: Int32Array): Float32Array | Promise<Float32Array>;
  /** The logits of stored nodes (ids.length × C), the counterpart of logitsSubgraph for predictNodes. */
  logitsNodes?(ids: Int32Array): Float32Array | Promise<Float32Array>;
  /** The stored graph behind predictNodes; absent when the model only serves subgraphs. */
  readonly graph?: {
    /** The dataset's name (for messages about its node ids). */
    readonly name?: string;
    readonly numNodes: number;
    /**
     * The original id of each node, for a dataset imported with ids of its own: requests may name nodes by these
     * ids and answers carry them (data/node-ids.ts).
     */
    readonly nodeIds?: readonly string[];
    /** Node titles where known (WikiCS article titles); '' or missing entries mean unknown. */
    readonly titles?: readonly string[];
    readonly labels?: Int32Array;
    /** Degree of each stored node (for request-log structure statistics). */
    readonly degrees?: Int32Array;
    /** CSR of in-neighbours (messages flow indices[p] → row i): the graph OOD scores propagate over. */
    readonly indptr?: Int32Array;
    readonly indices?: Int32Array;
  };
  /** Shown by GET /v1/models: evaluation metrics and lineage (run, dataset hash, git sha …) from the registry. */
  readonly info: { metrics?: Record<string, number>; lineage?: Record<string, unknown> };
  /**
   * Explain predictions for nodes of the stored graph (see src/explain). Absent for runtimes that cannot
   * differentiate the model (ONNX). Ids are validated against `graph.numNodes` by the server; past `timeLimitMs`
   * for one node it throws `timeLimitError(index, elapsedMs)`.
   */
  explainNodes?(
    ids: Int32Array,
    o: {
      method: ExplainMethod;
      topK: number;
      timeLimitMs: number;
      timeLimitError: (index: number, elapsedMs: number) => GnnopsError;
    },
  ): ExplanationJson[];
  /** Release resources (ONNX sessions, worker threads) once the model is no longer served. */
  close?(): void | Promise<void>;
}

export type Runtime = 'native' | 'onnx';

export interface LoadOptions {
  runtime?: Runtime;
  /** Shared artifact storage to fetch a registered version's missing artifacts from (GNNOPS_STORAGE_URL wins). */
  storage?: StorageConfig;
}

/** Turns a reference (`NAME@ALIAS`, `NAME/VERSION`, or a checkpoint path) into a ready-to-serve model. */
export type ModelLoader = (ref: string, opts?: LoadOptions) => Promise<ServedModel>;

/**
 * The one answer to a node prediction from a model served without its stored graph, whichever runtime serves it
 * and whichever route asks: NOT_AVAILABLE (503), since this deployment cannot answer it, naming the input at fault
 * and what the client can send instead.
 */
export function noGraphError(
  model: { readonly name: string; readonly version: string },
  field = 'node_ids',
  instead = 'send a subgraph (features and edges) instead',
): GnnopsError {
  return new GnnopsError(
    ErrorCodes.NOT_AVAILABLE,
    `${field}: model ${model.name}/${model.version} is served without a graph, so node predictions are not available; ${instead}`,
    { field },
  );
}

/**
 * Row-wise softmax(logits / T) of row-major n × C logits (float32, as served). T = 1 gives the raw softmax; the
 * temperature must be finite and > 0 (the registry only stores such ones).
 */
export function softmaxWithTemperature(logits: Float32Array, n: number, C: number, temperature: number): Float32Array {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new GnnopsError(ErrorCodes.INTERNAL, `softmax temperature must be finite and > 0, got ${temperature}`);
  }
  if (temperature === 1) return softmaxRows(logits, n, C);
  const scaled = new Float32Array(n * C);
  for (let i = 0; i < n * C; i++) scaled[i] = logits[i] / temperature;
  return softmaxRows(scaled, n, C, scaled);
}

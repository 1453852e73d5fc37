/**
 * What the server needs from a model. The server never sees layers, engines or runtimes: a loader (native GCN
 * forward, ONNX, a test fixture) turns a registry reference or checkpoint into a ServedModel, and the server only
 * calls the two predict methods. Implementations must be safe to call while another ServedModel is being loaded
 * (hot reload swaps the reference between requests) and must not mutate their inputs.
 */
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
   * Run the GNN on a request's own subgraph.
   * @param x row-major n × F features (finite, validated by the server)
   * @param n number of nodes (≥ 1)
   * @param src edge sources, each in [0, n)
   * @param dst edge targets, each in [0, n); messages flow src → dst
   * @returns row-major n × C class probabilities (rows sum to 1), or a promise of them (ONNX Runtime runs async)
   */
  predictSubgraph(x: Float32Array, n: number, src: Int32Array, dst: Int32Array): Float32Array | Promise<Float32Array>;
  /**
   * Classify nodes of the served dataset's graph using their stored neighbourhoods. Ids are validated against
   * `graph.numNodes` by the server. A real model should precompute the full-graph output once at load, so that
   * this is a row lookup.
   * @returns row-major ids.length × C class probabilities (or a promise of them)
   */
  predictNodes(ids: Int32Array): Float32Array | Promise<Float32Array>;
  /** The stored graph behind predictNodes; absent when the model only serves subgraphs. */
  readonly graph?: {
    readonly numNodes: number;
    /** Node titles where known (WikiCS article titles); '' or missing entries mean unknown. */
    readonly titles?: readonly string[];
    readonly labels?: Int32Array;
    /** Degree of each stored node (for request-log structure statistics). */
    readonly degrees?: Int32Array;
  };
  /** Shown by GET /v1/models: evaluation metrics and lineage (run, dataset hash, git sha …) from the registry. */
  readonly info: { metrics?: Record<string, number>; lineage?: Record<string, unknown> };
  /** Release resources (ONNX sessions, worker threads) once the model is no longer served. */
  close?(): void | Promise<void>;
}

export type Runtime = 'native' | 'onnx';

export interface LoadOptions {
  runtime?: Runtime;
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

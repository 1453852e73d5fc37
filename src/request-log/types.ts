/** One request-log row as the server produces it and readers get it back (see schema.ts for the columns). */
export interface RequestLogEntry {
  /** Milliseconds since the epoch. */
  ts: number;
  requestId: string;
  /** Index of the instance within a batched request (0 otherwise). */
  item: number;
  route: string;
  model: string;
  version: string;
  kind: 'subgraph' | 'nodes';
  numNodes: number;
  numEdges: number;
  numFeatures: number;
  meanDegree: number;
  maxDegree: number;
  /** Row-major numNodes × numFeatures, present when the request was sampled (subgraph requests only). */
  features: Float32Array | null;
  nodeIds: Int32Array | null;
  degrees: Int32Array;
  predictions: Int32Array;
  /** Top probability per node, as served (softmax(logits / temperature)). */
  confidence: Float32Array;
  /** The softmax temperature applied to this row's probabilities (1 = raw). */
  temperature: number;
  /** The OOD score served for each node (GNNSafe energy, monitor/ood.ts); null or absent when none was asked for. */
  oodScore?: Float32Array | null;
  inferenceMs: number;
  /** The server that logged the row (serve.replica); set on rows read back, the writer adds its own on insert. */
  replica?: string;
}

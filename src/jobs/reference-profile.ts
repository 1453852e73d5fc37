/**
 * The reference profile a version is registered with (monitor/reference.ts), for training and optimize alike: the
 * subgraph-request OOD reference forwards ego subgraphs through the checkpoint as the native server does.
 */
import type { GraphData } from '../data/graph.js';
import { modelReferenceProfileBytes } from '../monitor/reference.js';
import { loadPredictor } from '../serve/native/predictor.js';

export async function versionReferenceProfile(
  data: GraphData,
  checkpointPath: string,
  o: { predictions: Int32Array; logits?: Float32Array },
): Promise<Uint8Array> {
  // without the graph: only the request-sized model is built, no full-graph pass
  const sub = loadPredictor(checkpointPath);
  try {
    return await modelReferenceProfileBytes(data, {
      predictions: o.predictions,
      ...(o.logits ? { logits: o.logits } : {}),
      subgraphLogits: (x, n, src, dst) => sub.logitsSubgraph(x, n, src, dst),
    });
  } finally {
    sub.close?.();
  }
}

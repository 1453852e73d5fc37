import { noGraphError, type ServedModel } from '../model.js';
import { onnxSubgraphRunner } from './runtime.js';

export interface OnnxServedModelOptions {
  name: string;
  version: string;
  /** An exported subgraph model (exportGcnOnnx). */
  model: Uint8Array;
  numFeatures: number;
  numClasses: number;
  classNames?: string[];
  /** The served dataset's graph (CSR of in-neighbours: messages flow indices[p] → row i). */
  graph?: {
    numNodes: number;
    features: Float32Array;
    indptr: Int32Array;
    indices: Int32Array;
    titles?: string[];
    labels?: Int32Array;
  };
  info?: ServedModel['info'];
}

/**
 * Serve an ONNX model (`gnnops serve --runtime onnx`). Subgraph requests run the session; node queries read rows
 * of the full-graph output, computed once at load (one forward over the stored graph), so they cost a lookup.
 */
export async function onnxServedModel(o: OnnxServedModelOptions): Promise<ServedModel> {
  const runner = await onnxSubgraphRunner(o.model);
  let full: Float32Array | undefined;
  let degrees: Int32Array | undefined;
  const g = o.graph;
  if (g) {
    const E = g.indptr[g.numNodes];
    const src = new Int32Array(E);
    const dst = new Int32Array(E);
    degrees = new Int32Array(g.numNodes);
    for (let i = 0; i < g.numNodes; i++) {
      degrees[i] = g.indptr[i + 1] - g.indptr[i];
      for (let p = g.indptr[i]; p < g.indptr[i + 1]; p++) {
        src[p] = g.indices[p];
        dst[p] = i;
      }
    }
    full = await runner.run(g.features, g.numNodes, o.numFeatures, src, dst);
  }
  const C = o.numClasses;
  return {
    name: o.name,
    version: o.version,
    numFeatures: o.numFeatures,
    numClasses: C,
    classNames: o.classNames,
    info: o.info ?? {},
    graph: g && degrees ? { numNodes: g.numNodes, titles: g.titles, labels: g.labels, degrees } : undefined,
    predictSubgraph: (x, n, src, dst) => runner.run(x, n, o.numFeatures, src, dst),
    predictNodes(ids) {
      const out = new Float32Array(ids.length * C);
      if (!full) throw noGraphError(o);
      for (let k = 0; k < ids.length; k++) out.set(full.subarray(ids[k] * C, (ids[k] + 1) * C), k * C);
      return out;
    },
    close: () => runner.close(),
  };
}

import { noGraphError, type ServedModel } from '../model.js';
import { onnxSubgraphRunner } from './runtime.js';

export interface OnnxServedModelOptions {
  name: string;
  version: string;
  /** An exported subgraph model (exportGcnOnnx), its probabilities at `temperature`. */
  model: Uint8Array;
  /** The temperature the model was exported with (default 1). */
  temperature?: number;
  numFeatures: number;
  numClasses: number;
  classNames?: string[];
  /** The served dataset's graph (CSR of in-neighbours: messages flow indices[p] → row i). */
  graph?: {
    name?: string;
    numNodes: number;
    nodeIds?: string[];
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
  let full: { probabilities: Float32Array; logits: Float32Array | null } | undefined;
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
    full = await runner.runBoth(g.features, g.numNodes, o.numFeatures, src, dst);
  }
  const C = o.numClasses;
  const rows = (m: Float32Array, ids: Int32Array) => {
    const out = new Float32Array(ids.length * C);
    for (let k = 0; k < ids.length; k++) out.set(m.subarray(ids[k] * C, (ids[k] + 1) * C), k * C);
    return out;
  };
  const served: ServedModel = {
    name: o.name,
    version: o.version,
    numFeatures: o.numFeatures,
    numClasses: C,
    temperature: o.temperature ?? 1,
    classNames: o.classNames,
    info: o.info ?? {},
    graph:
      g && degrees
        ? {
            name: g.name,
            numNodes: g.numNodes,
            nodeIds: g.nodeIds,
            titles: g.titles,
            labels: g.labels,
            degrees,
            indptr: g.indptr,
            indices: g.indices,
          }
        : undefined,
    predictSubgraph: (x, n, src, dst) => runner.run(x, n, o.numFeatures, src, dst),
    predictNodes(ids) {
      if (!full) throw noGraphError(o);
      return rows(full.probabilities, ids);
    },
    close: () => runner.close(),
  };
  // a file with a logits output lets the server pick the temperature per request and score OOD
  if (runner.hasLogits) {
    Object.assign(served, {
      async logitsSubgraph(x: Float32Array, n: number, src: Int32Array, dst: Int32Array) {
        return (await runner.runBoth(x, n, o.numFeatures, src, dst)).logits as Float32Array;
      },
      logitsNodes(ids: Int32Array) {
        if (!full) throw noGraphError(o);
        return rows(full.logits as Float32Array, ids);
      },
    });
  }
  return served;
}

import * as ort from 'onnxruntime-node';

/** Runs an exported subgraph model (inputs x, edge_index → probabilities, logits) with ONNX Runtime. */
export interface OnnxSubgraphRunner {
  /** The `probabilities` output (n × C). */
  run(x: Float32Array, n: number, numFeatures: number, src: Int32Array, dst: Int32Array): Promise<Float32Array>;
  /** Whether the file has a `logits` output (every gnnops export does). */
  readonly hasLogits: boolean;
  /** Both outputs of one run; `logits` is null for a file exported without that output. */
  runBoth(
    x: Float32Array,
    n: number,
    numFeatures: number,
    src: Int32Array,
    dst: Int32Array,
  ): Promise<{ probabilities: Float32Array; logits: Float32Array | null }>;
  close(): Promise<void>;
}

/**
 * One InferenceSession per model, with ONE intra-op thread: ONNX Runtime's scatter-add kernels give wrong sums
 * with several threads (measured in DESIGN.md), and requests are small, so parallelism belongs across requests.
 */
export async function onnxSubgraphRunner(
  model: Uint8Array,
  opts: { optimization?: 'basic' | 'all' } = {},
): Promise<OnnxSubgraphRunner> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // 'all' lets ONNX Runtime fuse DequantizeLinear → MatMul of an int8 export into integer kernels (activations
    // quantised on the fly: ~1e-3 error); 'basic' keeps the graph's float semantics exactly
    graphOptimizationLevel: opts.optimization ?? 'all',
  });
  const hasLogits = session.outputNames.includes('logits');
  const runBoth: OnnxSubgraphRunner['runBoth'] = async (x, n, numFeatures, src, dst) => {
    const E = src.length;
    const ei = new BigInt64Array(2 * E);
    for (let k = 0; k < E; k++) {
      ei[k] = BigInt(src[k]);
      ei[E + k] = BigInt(dst[k]);
    }
    const out = await session.run({
      x: new ort.Tensor('float32', x, [n, numFeatures]),
      edge_index: new ort.Tensor('int64', ei, [2, E]),
    });
    const p = out.probabilities;
    if (!p || !(p.data instanceof Float32Array)) throw new Error('ONNX model returned no float32 probabilities');
    const l = hasLogits ? out.logits : undefined;
    return { probabilities: p.data, logits: l && l.data instanceof Float32Array ? l.data : null };
  };
  return {
    hasLogits,
    runBoth,
    async run(x, n, numFeatures, src, dst) {
      return (await runBoth(x, n, numFeatures, src, dst)).probabilities;
    },
    async close() {
      await session.release();
    },
  };
}

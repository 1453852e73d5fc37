/**
 * Layer-wise full-neighbourhood inference (PyG's `SAGE.inference`, DGL's offline inference): layer l runs for every
 * node before layer l + 1 starts, in chunks of `chunk` dst nodes, each chunk a block holding every neighbour. A chunk
 * gathers only its src rows of the previous layer's output, so the working set is one chunk's block and activations
 * rather than a whole-graph forward's per-layer temporaries; the layer outputs themselves (N × width) are plain
 * Float32Arrays outside the engine's memory. In evaluation mode this computes the same function as the full-batch
 * forward (GCN's blocks take the whole graph's degrees, see block-context.ts); the results agree to float rounding.
 */
import { NeighborSampler, type SamplerGraph } from '../data/sampler.js';
import type { Rng, Tape } from '../engine/index.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { BlockContext, gcnDegreeInv } from './block-context.js';
import type { NodeModel } from './models/model.js';

export interface LayerwiseOptions {
  tape: Tape;
  model: NodeModel;
  graph: SamplerGraph;
  /** numNodes × numFeatures, row-major. */
  features: Float32Array;
  /** Dst nodes per chunk. */
  chunk: number;
  /** Unused in evaluation mode, but the forward context carries one. */
  rng: Rng;
  /** Called after each chunk with (layer, nodes done, total). */
  onChunk?(layer: number, done: number, total: number): void;
}

export interface LayerwiseOutput {
  /** numNodes × numClasses. */
  logits: Float32Array;
  /** The last layer's input, numNodes × hiddenWidth. */
  hidden: Float32Array;
  hiddenWidth: number;
}

/** D̂^{-1/2} per graph, computed once per CSR (GCN's blocks need the whole graph's degrees). */
const dinvCache = new WeakMap<Int32Array, Float64Array>();

export function layerwiseInference(o: LayerwiseOptions): LayerwiseOutput {
  const { tape, model, graph } = o;
  if (model.post) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `layer-wise inference does not support model.name=${model.config.name} (a propagation after the layers); use gcn, sage, gat or mlp`,
      { field: 'model.name' },
    );
  }
  const n = graph.numNodes;
  const stack = model.stack;
  const layers = stack.layers.length;
  const chunk = Math.max(1, o.chunk);
  let dinv = dinvCache.get(graph.indices);
  if (!dinv) {
    dinv = gcnDegreeInv(graph);
    dinvCache.set(graph.indices, dinv);
  }
  const sampler = new NeighborSampler(graph, [-1]);
  let input = o.features;
  let inWidth = n > 0 ? input.length / n : stack.inWidth;
  let hidden = input;
  let hiddenWidth = inWidth;
  for (let l = 0; l < layers; l++) {
    const outWidth = stack.widths[l];
    const out = new Float32Array(n * outWidth);
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      const seeds = new Int32Array(e - s);
      for (let i = 0; i < seeds.length; i++) seeds[i] = s + i;
      const b = sampler.sample(seeds, 0);
      const block = new BlockContext(tape.backend, b.blocks[0], { gcnDinv: dinv, nodes: b.nodes });
      try {
        tape.noGrad(() => {
          const x = tape.result([b.nodes.length, inWidth]);
          const xd = x.data;
          for (let r = 0; r < b.nodes.length; r++) {
            const v = b.nodes[r];
            xd.set(input.subarray(v * inWidth, (v + 1) * inWidth), r * inWidth);
          }
          const y = stack.applyLayer(l, x, {
            graph: block,
            blocks: layerBlocks(l, block),
            training: false,
            rng: o.rng,
          });
          out.set(y.data, s * outWidth);
        });
      } finally {
        tape.reset();
        tape.releasePool();
        block.dispose();
      }
      o.onChunk?.(l, e, n);
    }
    if (l === layers - 1) return { logits: out, hidden, hiddenWidth };
    hidden = out;
    hiddenWidth = outWidth;
    input = out;
    inWidth = outWidth;
  }
  throw new Error('unreachable: a model has at least one layer');
}

/** A blocks list whose entry l is `block` (applyLayer reads ctx.blocks[l]). */
function layerBlocks(l: number, block: BlockContext): BlockContext[] {
  const a = new Array<BlockContext>(l + 1);
  a[l] = block;
  return a;
}

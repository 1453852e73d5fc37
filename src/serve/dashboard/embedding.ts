import type { GraphData } from '../../data/graph.js';
import { getBackend, Rng, Tape } from '../../engine/index.js';
import { readCheckpoint, restoreModel } from '../../nn/checkpoint.js';
import { GraphContext } from '../../nn/graph-context.js';

/**
 * The model's last hidden representation of every node (N × width), from its checkpoint, on the process
 * backend as it is (read, never set: the served model's own full-graph pass uses the same one). Evaluation mode,
 * so dropout is off and the result is deterministic. One full-graph forward (~0.2 s at WikiCS size), done once
 * per served version and cached by the caller.
 */
export function hiddenEmbedding(checkpointPath: string, graph: GraphData): { hidden: Float32Array; width: number } {
  const ckpt = readCheckpoint(checkpointPath);
  const backend = getBackend();
  const tape = new Tape(backend);
  const model = restoreModel(tape, ckpt);
  const ctx = new GraphContext(backend, graph);
  const feats = tape.tensor(graph.features, [graph.numNodes, graph.numFeatures]);
  try {
    return tape.noGrad(() => {
      const { hidden } = model.forwardWithHidden(feats, { graph: ctx, training: false, rng: new Rng(0) });
      return { hidden: hidden.toFloat32(), width: hidden.cols };
    });
  } finally {
    tape.reset();
    feats.dispose();
    ctx.dispose();
    model.dispose();
  }
}

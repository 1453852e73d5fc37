/**
 * A 2-layer GCN (PyG GCNConv form: Â·(X·W) + b) trained with the engine's public API, used by the determinism and
 * backend-agreement tests. Epoch = forward with dropout → masked cross-entropy → backward → Adam step → reset.
 */
import type { GraphData } from '../../src/data/graph.js';
import {
  Adam,
  addBias,
  type Backend,
  crossEntropy,
  dropout,
  gcnAdjacency,
  glorotInit,
  maskToRows,
  matmul,
  Rng,
  relu,
  spmm,
  Tape,
} from '../../src/engine/index.js';

export interface GcnRunOptions {
  hidden: number;
  epochs: number;
  /** Seeds the weights. */
  seed: number;
  /** Seeds the dropout masks (default seed + 1). */
  dropoutSeed?: number;
  dropout?: number;
  /** Called after each epoch's reset (memory checks). */
  onEpoch?: (epoch: number) => void;
}

/** Trains on split 0's train mask and returns the training loss of every epoch (before that epoch's step). */
export function trainGcn(backend: Backend, g: GraphData, o: GcnRunOptions): number[] {
  const tape = new Tape(backend);
  const rng = new Rng(o.seed);
  const dropRng = new Rng(o.dropoutSeed ?? o.seed + 1);
  const adj = gcnAdjacency(backend, g);
  const x = tape.tensor(g.features, [g.numNodes, g.numFeatures]);
  const w1 = tape.param([g.numFeatures, o.hidden], glorotInit(rng), 'w1');
  const b1 = tape.param([o.hidden], undefined, 'b1');
  const w2 = tape.param([o.hidden, g.numClasses], glorotInit(rng), 'w2');
  const b2 = tape.param([g.numClasses], undefined, 'b2');
  const opt = new Adam([w1, b1, w2, b2], { lr: 0.02, weightDecay: 5e-4 });
  const train = maskToRows(g.splits[0].train);
  const losses: number[] = [];
  for (let e = 0; e < o.epochs; e++) {
    const h = dropout(relu(addBias(spmm(adj, matmul(x, w1)), b1)), o.dropout ?? 0.25, true, dropRng);
    const out = addBias(spmm(adj, matmul(h, w2)), b2);
    const loss = crossEntropy(out, g.labels, train);
    losses.push(loss.item());
    opt.zeroGrad();
    tape.backward(loss);
    opt.step();
    tape.reset();
    o.onEpoch?.(e);
  }
  for (const t of [x, w1, b1, w2, b2]) t.dispose();
  tape.dispose();
  return losses;
}

/**
 * The engine's GCN epoch through the autograd (tensors, tape, ops, Adam), on a WikiCS-sized synthetic graph from the
 * project's generator: 2 layers 300→hidden→10, dropout 0.25, Adam(lr 0.02, wd 5e-4). An epoch is one training step
 * plus one full-graph evaluation forward and the stopping-set loss, as in ../shared/bench/torch_gcn.py. Also splits
 * the step into forward / backward / optimizer to show where the op layer spends its time.
 *
 *   npm run bench -- engine-gcn [--nodes 11701] [--epochs 100] [--hidden 33] [--threads 0] [--backend wasm]
 */
import { wikicsFromJson } from '../src/data/datasets/wikics.js';
import { generateSynthetic } from '../src/data/synth.js';
import {
  Adam,
  addBias,
  type BackendName,
  createBackend,
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
} from '../src/engine/index.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export default async function (args: string[]): Promise<void> {
  const nodes = Number(arg(args, 'nodes', '11701'));
  const epochs = Number(arg(args, 'epochs', '100'));
  const hidden = Number(arg(args, 'hidden', '33'));
  const threads = Number(arg(args, 'threads', '0'));
  const backendName = arg(args, 'backend', 'wasm') as BackendName;

  const g = wikicsFromJson(JSON.parse(JSON.stringify(generateSynthetic({ nodes, seed: 1 }))), { name: 'synthetic' });
  const be = createBackend({ name: backendName, threads });
  const tape = new Tape(be);
  const rng = new Rng(1);
  const dropRng = new Rng(2);
  const adj = gcnAdjacency(be, g);
  const x = tape.tensor(g.features, [g.numNodes, g.numFeatures]);
  const w1 = tape.param([g.numFeatures, hidden], glorotInit(rng));
  const b1 = tape.param([hidden]);
  const w2 = tape.param([hidden, g.numClasses], glorotInit(rng));
  const b2 = tape.param([g.numClasses]);
  const opt = new Adam([w1, b1, w2, b2], { lr: 0.02, weightDecay: 5e-4 });
  const train = maskToRows(g.splits[0].train);
  const stop = maskToRows(g.splits[0].stopping);
  const forward = (training: boolean) => {
    const h = dropout(relu(addBias(spmm(adj, matmul(x, w1)), b1)), 0.25, training, dropRng);
    return addBias(spmm(adj, matmul(h, w2)), b2);
  };

  const epoch: number[] = [];
  const step: number[] = [];
  const evalMs: number[] = [];
  const fwd: number[] = [];
  const bwd: number[] = [];
  const optMs: number[] = [];
  let lastLoss = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const loss = crossEntropy(forward(true), g.labels, train);
    const t1 = performance.now();
    opt.zeroGrad();
    tape.backward(loss);
    const t2 = performance.now();
    opt.step();
    tape.reset();
    const t3 = performance.now();
    lastLoss = tape.noGrad(() => crossEntropy(forward(false), g.labels, stop).item());
    tape.reset();
    const t4 = performance.now();
    fwd.push(t1 - t0);
    bwd.push(t2 - t1);
    optMs.push(t3 - t2);
    step.push(t3 - t0);
    evalMs.push(t4 - t3);
    epoch.push(t4 - t0);
  }
  const r = (v: number) => Math.round(v * 100) / 100;
  console.log(
    JSON.stringify({
      backend: be.name,
      threads: be.threads,
      nodes: g.numNodes,
      nnz: adj.a.indptr[g.numNodes],
      epochs,
      epoch_ms_median: r(median(epoch)),
      step_ms_median: r(median(step)),
      eval_ms_median: r(median(evalMs)),
      forward_ms_median: r(median(fwd)),
      backward_ms_median: r(median(bwd)),
      optimizer_and_reset_ms_median: r(median(optMs)),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      final_stopping_loss: r(lastLoss),
    }),
  );
  tape.dispose();
  be.dispose();
}

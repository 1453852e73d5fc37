/**
 * The training-speed benchmark behind `gnnops bench train` and `npm run bench:vs-torch`: the same work per epoch as
 * the PyTorch reference GCN (bench/torch_gcn.py of the shared benchmark kit) — one training step (forward with dropout, masked cross-entropy, backward, Adam with
 * weight decay) plus one full-graph evaluation forward and the stopping-set loss — timed per epoch, on split 0.
 * Peak RSS is the process's maximum resident set (getrusage), so it includes loading the data.
 */
import type { Config } from '../config/schema.js';
import type { GraphData } from '../data/graph.js';
import { Rng, setBackend, Tape } from '../engine/index.js';
import { GraphContext } from '../nn/graph-context.js';
import { buildModel } from '../nn/models/build.js';
import { median } from './stats.js';
import { NodeClassificationTask } from './task.js';

export interface SpeedResult {
  epoch_ms_median: number;
  step_ms_median: number;
  eval_ms_median: number;
  peak_rss_mb: number;
  threads: number;
}

export function benchTrain(config: Config, data: GraphData, epochs: number): SpeedResult {
  const backend = setBackend({ name: config.train.backend, threads: config.train.threads });
  const tape = new Tape(backend);
  const graph = new GraphContext(backend, data);
  const features = tape.tensor(data.features, [data.numNodes, data.numFeatures]);
  const rng = new Rng(config.train.seed);
  const model = buildModel(tape, rng, config.model, { numFeatures: data.numFeatures, numClasses: data.numClasses });
  const task = new NodeClassificationTask({ tape, model, graph, data, features, split: 0, train: config.train, rng });
  task.configureOptimizer();
  const step: number[] = [];
  const evalMs: number[] = [];
  const epoch: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    task.trainingStep();
    const t1 = performance.now();
    task.evaluate(['stopping']);
    const t2 = performance.now();
    step.push(t1 - t0);
    evalMs.push(t2 - t1);
    epoch.push(t2 - t0);
  }
  model.dispose();
  features.dispose();
  graph.dispose();
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    epoch_ms_median: r(median(epoch)),
    step_ms_median: r(median(step)),
    eval_ms_median: r(median(evalMs)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    threads: backend.threads,
  };
}

/**
 * All runs of the protocol (splits or seeds) of a 2-layer GCN trained in one batched pass: the S models' first-layer
 * weights sit side by side, W1 = [W1_1 … W1_S] (F × S·h), so the feature transform is one wide GEMM X·W1 and the
 * propagation one SpMM over S·h columns; the second layer runs per model on contiguous copies (blockLinear), its
 * propagation again as one SpMM over S·C columns. Each model's loss is the cross-entropy on its own train mask, and
 * the losses are summed: every block receives exactly its own model's gradient, and the optimizers in the engine are
 * elementwise, so each model follows the trajectory it would follow alone. Every model draws its initial weights and
 * dropout masks from its own seeded stream in the same order as the sequential protocol, so the two paths give the
 * same runs (up to the summation order of kernels; the test compares them).
 *
 * Early stopping is per model: a model whose patience runs out is frozen (its best weights are kept, its loss
 * leaves the sum); the loop ends when every model has stopped or at train.epochs.
 * The evaluation forward computes X·W1 with the weights the next training step will use (the optimizer step came
 * before it and no input dropout applies), so the training step reuses that product instead of a second wide GEMM.
 */
import type { Config } from '../../config/schema.js';
import type { GraphData } from '../../data/graph.js';
import {
  addBias,
  type Backend,
  createOptimizer,
  maskToRows,
  matmul,
  Rng,
  relu,
  Tape,
  type Tensor,
} from '../../engine/index.js';
import { glorotInit } from '../../engine/init.js';
import { reusedProduct } from '../../nn/conv/gcn-conv.js';
import { GraphContext } from '../../nn/graph-context.js';
import { buildModel } from '../../nn/models/build.js';
import type { MetricSink } from '../callbacks/metric-logger.js';
import { median } from '../stats.js';
import type { MaskName } from '../task.js';
import type { EpochMetrics } from '../trainer.js';
import {
  blockCrossEntropy,
  blockLinear,
  blockMetrics,
  blockSpmm,
  gatherBlock,
  maskedDropout,
  scatterBlock,
} from './ops.js';

export interface BatchedRun {
  split: number;
  seed: number;
}

export interface BatchedRunResult {
  epochs: number;
  bestEpoch: number;
  final: Record<`${MaskName}_loss` | `${MaskName}_acc`, number>;
  epochMsMedian: number;
}

/** Whether the batched path computes exactly what the sequential protocol would for this config. */
/** The engine dropout op's per-call mask seed (ops/dropout.ts): two draws, 21 + 32 bits. */
function maskSeed(rng: Rng): number {
  return (rng.nextU32() >>> 11) * 4294967296 + rng.nextU32();
}

export function batchable(cfg: Config, runs: number): boolean {
  const m = cfg.model;
  return (
    cfg.train.batch_splits &&
    runs > 1 &&
    m.name === 'gcn' &&
    m.layers === 2 &&
    !m.layer_norm &&
    m.activation === 'relu' &&
    m.input_dropout === 0 &&
    cfg.train.grad_clip === 0
  );
}

export interface BatchedOptions {
  config: Config;
  data: GraphData;
  runs: readonly BatchedRun[];
  backend: Backend;
  sink?: MetricSink;
  /** Called after every batched epoch with the metrics of each still-active run. */
  onEpoch?(index: number, m: EpochMetrics): boolean | undefined;
}

export interface BatchedResult {
  results: BatchedRunResult[];
  /** Best weights of run i as a state dict of the standard GCN model (for checkpoints). */
  stateOf(i: number): Map<string, { shape: number[]; data: Float32Array }>;
  dispose(): void;
}

export function trainBatchedGcn(o: BatchedOptions): BatchedResult {
  const { config: cfg, data, runs, backend: be } = o;
  const S = runs.length;
  const n = data.numNodes;
  const f = data.numFeatures;
  const h = cfg.model.hidden;
  const c = data.numClasses;
  const p = cfg.model.dropout;
  const t = cfg.train;
  const tape = new Tape(be);
  const graph = new GraphContext(be, data);
  const x = tape.tensor(data.features, [n, f]);

  // Parameters, each model's block drawn from its own stream in the sequential model's order (W1, then W2).
  const w1 = tape.zeros([f, S * h], { requiresGrad: true, name: 'w1' });
  const b1 = tape.zeros([S * h], { requiresGrad: true, name: 'b1' });
  const w2 = tape.zeros([S * h, c], { requiresGrad: true, name: 'w2' });
  const b2 = tape.zeros([S * c], { requiresGrad: true, name: 'b2' });
  const rngs = runs.map((r) => new Rng(r.seed));
  const tmp1 = new Float32Array(f * h);
  for (let s = 0; s < S; s++) {
    glorotInit(rngs[s])(tmp1, [f, h]);
    scatterBlock(tmp1, f, S, h, s, w1.data, 0);
    glorotInit(rngs[s])(w2.data.subarray(s * h * c, (s + 1) * h * c), [h, c]);
  }
  const params = [w1, b1, w2, b2];
  const opt = createOptimizer(t.optimizer, params, {
    lr: t.lr,
    weightDecay: t.weight_decay,
    momentum: t.momentum,
    nesterov: t.nesterov,
  });

  const rowsOf = (m: MaskName) =>
    runs.map((r) => {
      const sp = data.splits[r.split];
      if (m === 'test') return maskToRows(data.testMask);
      if (m === 'stopping') return maskToRows(data.stoppingMask === 'val' ? sp.val : sp.stopping);
      return maskToRows(sp[m]);
    });
  const rows: Record<MaskName, Int32Array[]> = {
    train: rowsOf('train'),
    val: rowsOf('val'),
    stopping: rowsOf('stopping'),
    test: rowsOf('test'),
  };

  const active = runs.map(() => true);
  const best = runs.map(() => ({ value: Number.NaN, epoch: -1, wait: 0, epochs: 0, times: [] as number[] }));
  const bestW = runs.map(() => ({
    w1: new Float32Array(f * h),
    b1: new Float32Array(h),
    w2: new Float32Array(h * c),
    b2: new Float32Array(c),
  }));
  const snapshot = (s: number) => {
    const d = bestW[s];
    gatherBlock(w1.data, f, S, h, s, d.w1);
    d.b1.set(b1.data.subarray(s * h, (s + 1) * h));
    d.w2.set(w2.data.subarray(s * h * c, (s + 1) * h * c));
    d.b2.set(b2.data.subarray(s * c, (s + 1) * c));
  };
  const restoreAll = () => {
    for (let s = 0; s < S; s++) {
      const d = bestW[s];
      if (best[s].epoch < 0) continue;
      scatterBlock(d.w1, f, S, h, s, w1.data, 0);
      b1.data.set(d.b1, s * h);
      w2.data.set(d.w2, s * h * c);
      b2.data.set(d.b2, s * c);
    }
  };

  // X·W1 from the last evaluation pass; valid until the next optimizer step.
  const cached = new Float32Array(n * S * h);
  let cacheValid = false;
  const mask = p > 0 ? be.allocU8(n * S * h) : null;
  const maskTmp = p > 0 ? be.allocU8(n * h) : null;
  const trainLoss = new Float64Array(S);
  const trainAcc = new Float64Array(S);

  const forward = (training: boolean): Tensor => {
    const xw = training && cacheValid ? reusedProduct(x, w1, cached) : matmul(x, w1);
    if (!training) {
      cached.set(xw.data);
      cacheValid = true;
    }
    let hid = relu(addBias(blockSpmm(graph.gcn, xw, S), b1));
    if (training && mask && maskTmp) {
      for (let s = 0; s < S; s++) {
        if (!active[s]) continue;
        be.dropoutMask(maskTmp, p, maskSeed(rngs[s]));
        for (let i = 0, src = 0, dst = s * h; i < n; i++, dst += S * h)
          for (let k = 0; k < h; k++) mask[dst + k] = maskTmp[src++];
      }
      hid = maskedDropout(hid, mask, p);
    }
    return addBias(blockSpmm(graph.gcn, blockLinear(hid, w2, S), S), b2);
  };

  const better = (v: number, b: number) => Number.isNaN(b) || (t.monitor === 'loss' ? v < b : v > b);

  for (let epoch = 0; epoch < t.epochs && active.some(Boolean); epoch++) {
    const t0 = performance.now();
    const z = forward(true);
    const loss = blockCrossEntropy(z, data.labels, rows.train, active, trainLoss, trainAcc);
    opt.zeroGrad();
    tape.backward(loss);
    opt.step();
    tape.reset();
    cacheValid = false;
    const ev = tape.noGrad(() => {
      const ze = forward(false);
      return {
        val: blockMetrics(ze.data, S, c, data.labels, rows.val),
        stop: blockMetrics(ze.data, S, c, data.labels, rows.stopping),
      };
    });
    tape.reset();
    const ms = performance.now() - t0;
    for (let s = 0; s < S; s++) {
      if (!active[s]) continue;
      const m: EpochMetrics = {
        epoch,
        train_loss: trainLoss[s],
        train_acc: trainAcc[s],
        val_loss: ev.val.loss[s],
        val_acc: ev.val.acc[s],
        stopping_loss: ev.stop.loss[s],
        stopping_acc: ev.stop.acc[s],
        epoch_ms: ms,
      };
      const b = best[s];
      b.epochs++;
      b.times.push(ms);
      if (o.sink) {
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries(m)) if (k !== 'epoch') out[`split${s}/${k}`] = v;
        o.sink.logMetrics(out, epoch);
      }
      const v = t.monitor === 'loss' ? m.stopping_loss : m.stopping_acc;
      let stop = false;
      if (better(v, b.value)) {
        b.value = v;
        b.epoch = epoch;
        b.wait = 0;
        snapshot(s);
      } else if (++b.wait >= t.patience) stop = true;
      if (o.onEpoch?.(s, m) === false) stop = true;
      if (stop) active[s] = false;
    }
  }

  restoreAll();
  const finalBy = tape.noGrad(() => {
    const ze = forward(false);
    const out = {} as Record<MaskName, { loss: Float64Array; acc: Float64Array }>;
    for (const m of ['train', 'val', 'stopping', 'test'] as const)
      out[m] = blockMetrics(ze.data, S, c, data.labels, rows[m]);
    return out;
  });
  tape.reset();
  const results: BatchedRunResult[] = runs.map((_, s) => ({
    epochs: best[s].epochs,
    bestEpoch: best[s].epoch >= 0 ? best[s].epoch : best[s].epochs - 1,
    final: {
      train_loss: finalBy.train.loss[s],
      train_acc: finalBy.train.acc[s],
      val_loss: finalBy.val.loss[s],
      val_acc: finalBy.val.acc[s],
      stopping_loss: finalBy.stopping.loss[s],
      stopping_acc: finalBy.stopping.acc[s],
      test_loss: finalBy.test.loss[s],
      test_acc: finalBy.test.acc[s],
    },
    epochMsMedian: median(best[s].times),
  }));

  return {
    results,
    stateOf(i: number) {
      const model = buildModel(tape, new Rng(0), cfg.model, { numFeatures: f, numClasses: c });
      const d = bestW[i];
      const [pw1, pb1, pw2, pb2] = model.parameters();
      pw1.assign(d.w1);
      pb1.assign(d.b1);
      pw2.assign(d.w2);
      pb2.assign(d.b2);
      const st = model.stateDict();
      model.dispose();
      return st;
    },
    dispose() {
      for (const q of [...params, x]) q.dispose();
      if (mask) be.free(mask);
      if (maskTmp) be.free(maskTmp);
      graph.dispose();
    },
  };
}

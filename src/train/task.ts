/**
 * The LightningModule of node classification: it says *what* to compute (one training step, the evaluation of
 * every mask, the optimizer from the `train` config), and the Trainer says *how* (loops, callbacks, stopping).
 *
 * One task = one model on one graph and one split. The training loss is softmax cross-entropy on the split's train
 * mask; weight decay is the optimizer's (coupled L2 for adam/sgd/rmsprop/nadam, decoupled for adamw), as torch.
 */
import type { Config } from '../config/schema.js';
import type { GraphData } from '../data/graph.js';
import type { NeighborLoader } from '../data/neighbor-loader.js';
import type { SampledBatch } from '../data/sampler.js';
import {
  accuracy,
  clipGradNorm,
  createOptimizer,
  crossEntropy,
  type FArray,
  maskToRows,
  type Optimizer,
  type Rng,
  softmaxRows,
  type Tape,
  type Tensor,
} from '../engine/index.js';
import { type ClassificationReport, classificationReport, selectRows } from '../monitor/classification.js';
import { BlockContext } from '../nn/block-context.js';
import type { GraphContext } from '../nn/graph-context.js';
import { layerwiseInference } from '../nn/layerwise.js';
import type { NodeModel } from '../nn/models/model.js';
import type { ForwardContext } from '../nn/module.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { Batching } from './minibatch.js';

export type TrainConfig = Config['train'];
export const MaskNames = ['train', 'val', 'stopping', 'test'] as const;
export type MaskName = (typeof MaskNames)[number];

/** Loss and accuracy on each requested mask. */
export type MaskMetrics = Partial<Record<`${MaskName}_loss` | `${MaskName}_acc`, number>>;

export interface TaskInit {
  tape: Tape;
  model: NodeModel;
  graph: GraphContext;
  data: GraphData;
  /** Node features as a persistent tensor (shared by every task on this graph). */
  features: Tensor;
  split: number;
  train: TrainConfig;
  /** Dropout stream. */
  rng: Rng;
  /** Mini-batch training: the batching and the loader that samples it (absent: full batch). */
  minibatch?: { batching: Batching; loader: NeighborLoader; seed: number };
}

/** One mini-batch step's numbers, for progress and speed. */
export interface BatchStats {
  loss: number;
  acc: number;
  seeds: number;
  /** Sampled edges over the batch's blocks. */
  edges: number;
}

export class NodeClassificationTask {
  readonly tape: Tape;
  readonly model: NodeModel;
  readonly graph: GraphContext;
  readonly data: GraphData;
  readonly features: Tensor;
  readonly split: number;
  readonly train: TrainConfig;
  readonly rng: Rng;
  readonly rows: Record<MaskName, Int32Array>;
  optimizer: Optimizer | null = null;
  readonly minibatch: TaskInit['minibatch'] | null;

  constructor(o: TaskInit) {
    this.minibatch = o.minibatch ?? null;
    this.tape = o.tape;
    this.model = o.model;
    this.graph = o.graph;
    this.data = o.data;
    this.features = o.features;
    this.split = o.split;
    this.train = o.train;
    this.rng = o.rng;
    const s = o.data.splits[o.split];
    if (!s) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `split ${o.split} does not exist: the dataset "${o.data.name}" has ${o.data.splits.length} split(s)`,
        { split: o.split, limit: o.data.splits.length },
      );
    }
    this.rows = {
      train: maskToRows(s.train),
      val: maskToRows(s.val),
      stopping: maskToRows(o.data.stoppingMask === 'val' ? s.val : s.stopping),
      test: maskToRows(o.data.testMask),
    };
    for (const m of MaskNames) {
      if (this.rows[m].length === 0) {
        throw new GnnopsError(ErrorCodes.DATA_INVALID, `split ${o.split}: the ${m} mask selects no nodes`, {
          split: o.split,
          mask: m,
        });
      }
    }
  }

  /** The optimizer the `train` config names, over every model parameter (Lightning's configure_optimizers). */
  configureOptimizer(): Optimizer {
    const t = this.train;
    this.optimizer = createOptimizer(t.optimizer, this.model.parameters(), {
      lr: t.lr,
      weightDecay: t.weight_decay,
      momentum: t.momentum,
      nesterov: t.nesterov,
    });
    return this.optimizer;
  }

  private ctx(training: boolean): ForwardContext {
    return { graph: this.graph, training, rng: this.rng };
  }

  /** One optimisation step on the train mask; returns the training loss and accuracy (with dropout active). */
  trainingStep(): { train_loss: number; train_acc: number } {
    const opt = this.optimizer ?? this.configureOptimizer();
    const tape = this.tape;
    const logits = this.model.forward(this.features, this.ctx(true));
    const loss = crossEntropy(logits, this.data.labels, this.rows.train);
    const out = { train_loss: loss.item(), train_acc: accuracy(logits, this.data.labels, this.rows.train) };
    opt.zeroGrad();
    tape.backward(loss);
    if (this.train.grad_clip > 0) clipGradNorm(opt.params, this.train.grad_clip);
    opt.step();
    tape.reset();
    return out;
  }

  /** The sampled batches of one training epoch (mini-batch tasks only). */
  trainBatches(epoch: number): Iterable<SampledBatch> {
    const mb = this.minibatch;
    if (!mb) throw new Error('trainBatches: a full-batch task has no batches');
    return mb.loader.epoch(this.rows.train, epoch, mb.seed);
  }

  /**
   * One optimisation step on a sampled batch: the features of its input nodes, the model on its blocks, the loss on
   * its seeds (all train nodes).
   */
  batchStep(batch: SampledBatch): BatchStats {
    const opt = this.optimizer ?? this.configureOptimizer();
    const tape = this.tape;
    const blocks = batch.blocks.map((b) => new BlockContext(tape.backend, b));
    try {
      const f = this.data.numFeatures;
      const x = tape.result([batch.nodes.length, f]);
      const src = this.data.features;
      for (let r = 0; r < batch.nodes.length; r++) {
        const v = batch.nodes[r];
        x.data.set(src.subarray(v * f, (v + 1) * f), r * f);
      }
      const labels = new Int32Array(batch.seeds.length);
      for (let i = 0; i < labels.length; i++) labels[i] = this.data.labels[batch.seeds[i]];
      const logits = this.model.forward(x, {
        graph: blocks[blocks.length - 1],
        blocks,
        training: true,
        rng: this.rng,
      });
      const loss = crossEntropy(logits, labels);
      const out: BatchStats = {
        loss: loss.item(),
        acc: accuracy(logits, labels),
        seeds: labels.length,
        edges: batch.edges,
      };
      opt.zeroGrad();
      tape.backward(loss);
      if (this.train.grad_clip > 0) clipGradNorm(opt.params, this.train.grad_clip);
      opt.step();
      return out;
    } finally {
      tape.reset();
      tape.releasePool();
      for (const b of blocks) b.dispose();
    }
  }

  /** Every node's logits and last hidden layer by layer-wise full-neighbourhood inference, in chunks. */
  private layerwise(): { logits: Float32Array; hidden: Float32Array; hiddenWidth: number } {
    return layerwiseInference({
      tape: this.tape,
      model: this.model,
      graph: this.data,
      features: this.data.features,
      chunk: this.minibatch?.batching.inferenceChunk ?? 8192,
      rng: this.rng,
    });
  }

  /** The last layer-wise logits and a copy of the weights they were computed with. */
  #logitsCache: { weights: FArray[]; logits: Float32Array } | null = null;

  /**
   * Layer-wise logits (mini-batch tasks), reused while the weights are bit-identical to those of the last pass: on a
   * large graph one pass is a sweep over every edge per layer, and the final evaluation after the last epoch, the
   * test report and the reference predictions would otherwise repeat the last epoch's pass. Only the logits are
   * kept (the hidden layer is the large part), and the old ones are dropped before a new pass starts.
   */
  private layerwiseLogits(): Float32Array {
    const params = this.model.parameters();
    const c = this.#logitsCache;
    if (c && c.weights.length === params.length && params.every((p, i) => sameValues(c.weights[i], p.data))) {
      return c.logits;
    }
    this.#logitsCache = null;
    const { logits } = this.layerwise();
    // Copies in the storage type (float64 on the gradient-check backend), so the comparison is exact.
    this.#logitsCache = { weights: params.map((p) => p.data.slice()), logits };
    return logits;
  }

  /** Evaluation-mode forward (no dropout, no gradients) and loss/accuracy on the given masks. */
  evaluate(masks: readonly MaskName[] = MaskNames): MaskMetrics {
    const tape = this.tape;
    const out: MaskMetrics = {};
    if (this.minibatch) {
      const all = this.layerwiseLogits();
      tape.noGrad(() => {
        const logits = tape.result([this.data.numNodes, this.data.numClasses]);
        logits.data.set(all);
        for (const m of masks) {
          out[`${m}_loss`] = crossEntropy(logits, this.data.labels, this.rows[m]).item();
          out[`${m}_acc`] = accuracy(logits, this.data.labels, this.rows[m]);
        }
      });
      tape.reset();
      return out;
    }
    tape.noGrad(() => {
      const logits = this.model.forward(this.features, this.ctx(false));
      for (const m of masks) {
        out[`${m}_loss`] = crossEntropy(logits, this.data.labels, this.rows[m]).item();
        out[`${m}_acc`] = accuracy(logits, this.data.labels, this.rows[m]);
      }
    });
    tape.reset();
    return out;
  }

  /**
   * Evaluation-mode logits of every node (n × C, row-major float32), for calibration and per-class scores. A copy
   * on full-batch tasks; on mini-batch tasks the layer-wise pass's own array (shared with later calls: read only).
   */
  logits(): Float32Array {
    if (this.minibatch) return this.layerwiseLogits();
    const tape = this.tape;
    const out = tape.noGrad(() => this.model.forward(this.features, this.ctx(false)).toFloat32());
    tape.reset();
    return out;
  }

  /**
   * Per-class scores, confusion and calibration on the test mask, with the temperature fitted on the val mask (or
   * the given one, e.g. a registered version's). `logits`: this task's own logits() when the caller has them already
   * (on a large graph each pass of layer-wise inference costs a full-graph sweep).
   */
  classificationReport(o: { temperature?: number; logits?: Float32Array } = {}): ClassificationReport {
    const { logits: given, ...opts } = o;
    const logits = given ?? this.logits();
    const { labels, numClasses: c, classNames } = this.data;
    return classificationReport(
      selectRows(logits, labels, c, this.rows.test),
      selectRows(logits, labels, c, this.rows.val),
      { ...opts, classNames },
    );
  }

  /** Class probabilities and the last hidden representation of every node (evaluation mode), as float32 copies. */
  predict(): { probs: Float32Array; hidden: Float32Array; hiddenWidth: number } {
    if (this.minibatch) {
      const r = this.layerwise();
      return {
        probs: softmaxRows(r.logits, this.data.numNodes, this.data.numClasses),
        hidden: r.hidden,
        hiddenWidth: r.hiddenWidth,
      };
    }
    const tape = this.tape;
    const r = tape.noGrad(() => {
      const { out, hidden } = this.model.forwardWithHidden(this.features, this.ctx(false));
      return { probs: softmaxRows(out.data, out.rows, out.cols), hidden: hidden.toFloat32(), hiddenWidth: hidden.cols };
    });
    tape.reset();
    return r;
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/schema.js';
import type { GraphData } from '../../src/data/graph.js';
import { NeighborLoader } from '../../src/data/neighbor-loader.js';
import { type Backend, createBackend, Rng, Tape } from '../../src/engine/index.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import { layerwiseInference } from '../../src/nn/layerwise.js';
import { buildModel } from '../../src/nn/models/build.js';
import { fullBatchBytes, resolveBatching } from '../../src/train/minibatch.js';
import { runProtocol } from '../../src/train/protocol.js';
import { taskFromWeights } from '../../src/train/restore.js';
import { NodeClassificationTask } from '../../src/train/task.js';
import { testConfig, tinyGraph } from './_fixtures.js';

const f64 = createBackend({ name: 'reference', dtype: 'f64' });

/** tinyGraph with split 0's train mask on every node: one batch of all nodes is then the full-batch step. */
function allTrain(): GraphData {
  const g = tinyGraph();
  const s = g.splits[0];
  return { ...g, splits: [{ ...s, train: new Uint8Array(g.numNodes).fill(1) }] };
}

/** Counts live backend buffers (float, int and byte). */
function counting(be: Backend): Backend & { live: () => number } {
  let live = 0;
  const c = Object.create(be) as Backend & { live: () => number };
  c.alloc = (n: number) => {
    live++;
    return be.alloc(n);
  };
  c.allocI32 = (n: number) => {
    live++;
    return be.allocI32(n);
  };
  c.allocU8 = (n: number) => {
    live++;
    return be.allocU8(n);
  };
  c.free = (b) => {
    live--;
    be.free(b);
  };
  c.live = () => live;
  return c;
}

function setup(cfg: Config, data: GraphData, minibatch: boolean, backend: Backend = f64) {
  const tape = new Tape(backend);
  const rng = new Rng(cfg.train.seed);
  const model = buildModel(tape, rng, cfg.model, { numFeatures: data.numFeatures, numClasses: data.numClasses });
  const graph = new GraphContext(backend, data);
  const features = tape.tensor(data.features, [data.numNodes, data.numFeatures]);
  const batching = resolveBatching(cfg, data);
  const mb =
    minibatch && batching
      ? {
          batching,
          loader: new NeighborLoader({
            graph: data,
            fanouts: batching.fanouts,
            batchSize: batching.batchSize,
            workers: 0,
            shuffle: false,
          }),
          seed: 0,
        }
      : undefined;
  const task = new NodeClassificationTask({
    tape,
    model,
    graph,
    data,
    features,
    split: 0,
    train: cfg.train,
    rng,
    ...(mb ? { minibatch: mb } : {}),
  });
  return { tape, model, task, graph };
}

const noNoise = ['model.dropout=0', 'model.input_dropout=0', 'model.attention_dropout=0', 'train.weight_decay=0'];

describe('mini-batch training', () => {
  for (const name of ['gcn', 'sage', 'gat', 'mlp']) {
    it(`${name}: one batch of all nodes with fanouts -1 gives the full-batch loss and gradients`, () => {
      const data = allTrain();
      const cfg = testConfig([
        `model.name=${name}`,
        'model.hidden=8',
        'model.heads=2',
        'train.lr=0',
        `train.batch_size=${data.numNodes}`,
        'train.fanouts=-1,-1',
        ...noNoise,
      ]);
      const full = setup(cfg, data, false);
      const mini = setup(cfg, data, true);
      const a = full.task.trainingStep();
      const batches = [...mini.task.trainBatches(0)];
      assert.equal(batches.length, 1);
      const b = mini.task.batchStep(batches[0]);
      assert.ok(Math.abs(a.train_loss - b.loss) < 1e-9, `loss ${a.train_loss} vs ${b.loss}`);
      assert.equal(a.train_acc, b.acc);
      const pa = full.model.namedParameters();
      const pb = mini.model.namedParameters();
      for (let k = 0; k < pa.length; k++) {
        const ga = pa[k][1].grad;
        const gb = pb[k][1].grad;
        assert.ok(ga && gb, pa[k][0]);
        let worst = 0;
        for (let i = 0; i < ga.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]));
        assert.ok(worst < 1e-9, `${pa[k][0]}: max |Δgrad| ${worst}`);
      }
    });
  }

  for (const name of ['gcn', 'sage', 'gat']) {
    it(`${name} on the wasm kernels (float32): the all-node batch matches the full-batch step to 1e-5`, () => {
      const wasm = createBackend({ name: 'wasm', threads: 2 });
      try {
        const data = allTrain();
        const cfg = testConfig([
          `model.name=${name}`,
          'model.hidden=16',
          'model.heads=2',
          'train.lr=0',
          `train.batch_size=${data.numNodes}`,
          'train.fanouts=-1,-1',
          ...noNoise,
        ]);
        const full = setup(cfg, data, false, wasm);
        const mini = setup(cfg, data, true, wasm);
        const a = full.task.trainingStep();
        const [batch] = [...mini.task.trainBatches(0)];
        const b = mini.task.batchStep(batch);
        assert.ok(Math.abs(a.train_loss - b.loss) < 1e-5, `loss ${a.train_loss} vs ${b.loss}`);
        const pa = full.model.namedParameters();
        const pb = mini.model.namedParameters();
        for (let k = 0; k < pa.length; k++) {
          const ga = pa[k][1].grad as Float32Array;
          const gb = pb[k][1].grad as Float32Array;
          let worst = 0;
          for (let i = 0; i < ga.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]));
          assert.ok(worst < 1e-5, `${pa[k][0]}: max |Δgrad| ${worst}`);
        }
      } finally {
        wasm.dispose();
      }
    });
  }

  it('a sampled batch trains only on its seeds and the blocks shrink toward the input', () => {
    const data = tinyGraph();
    const cfg = testConfig(['model.name=sage', 'train.batch_size=4', 'train.fanouts=3,2']);
    const { task } = setup(cfg, data, true);
    const [first] = task.trainBatches(0);
    assert.equal(first.seeds.length, 4);
    assert.equal(first.blocks[1].numDst, 4);
    assert.ok(first.blocks[1].indptr[4] <= 4 * 3);
    assert.ok(first.blocks[0].indptr[first.blocks[0].numDst] <= first.blocks[0].numDst * 2);
    const r = task.batchStep(first);
    assert.equal(r.seeds, 4);
    assert.ok(Number.isFinite(r.loss));
  });
});

describe('mini-batch memory', () => {
  it('holds no engine buffers from one batch to the next, whatever the batch shapes', () => {
    const data = tinyGraph();
    const be = counting(createBackend({ name: 'reference', dtype: 'f32' }));
    const cfg = testConfig(['model.name=gcn', 'train.batch_size=3', 'train.fanouts=4,3']);
    const { task } = setup(cfg, data, true, be);
    const lives: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const b of task.trainBatches(epoch)) {
        task.batchStep(b);
        lives.push(be.live());
      }
    }
    // After the first step the optimizer state exists; from then on every batch ends where the previous one did.
    assert.ok(
      lives.slice(1).every((v) => v === lives[0]),
      `live buffers after each batch: ${lives}`,
    );
  });
});

describe('layer-wise inference', () => {
  const cases: [string, string[]][] = [
    ['gcn', []],
    ['sage', []],
    ['gat', ['model.heads=2']],
    ['mlp', []],
    ['sage', ['model.layers=3', 'model.residual=true', 'model.layer_norm=true']],
  ];
  for (const [name, extra] of cases) {
    it(`${name} ${extra.join(' ')}: equals the full-batch forward in uneven chunks`, () => {
      const data = tinyGraph();
      const cfg = testConfig([`model.name=${name}`, 'model.hidden=8', ...extra]);
      const { task, tape, model } = setup(cfg, data, false);
      const want = task.logits();
      const got = layerwiseInference({
        tape,
        model,
        graph: data,
        features: data.features,
        chunk: 37,
        rng: new Rng(0),
      });
      assert.equal(got.logits.length, want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got.logits[i]));
      assert.ok(worst < 1e-5, `max |Δlogit| ${worst}`);
    });
  }

  it('rejects a model with a propagation after its layers', () => {
    const data = tinyGraph();
    const cfg = testConfig(['model.name=appnp']);
    const { tape, model } = setup(cfg, data, false);
    assert.throws(
      () => layerwiseInference({ tape, model, graph: data, features: data.features, chunk: 50, rng: new Rng(0) }),
      /does not support model.name=appnp/,
    );
  });
});

describe('layer-wise passes are not repeated over the same weights', () => {
  it('reuses the logits until a step changes the weights, and the protocol hands its final ones over', () => {
    const data = tinyGraph();
    const over = ['model.name=sage', 'model.hidden=8', 'train.batch_size=16', 'train.fanouts=5,5'];
    const cfg = testConfig(over);
    const { task, tape, model } = setup(cfg, data, true);
    const first = task.logits();
    task.evaluate(['val']);
    assert.equal(task.logits(), first, 'same weights: the same pass');
    const [b] = task.trainBatches(0);
    task.batchStep(b);
    const after = task.logits();
    assert.notEqual(after, first, 'a step changed the weights: a new pass');
    const fresh = layerwiseInference({
      tape,
      model,
      graph: data,
      features: data.features,
      chunk: 8192,
      rng: new Rng(0),
    });
    assert.deepEqual(after, fresh.logits);

    const runCfg = testConfig([...over, 'train.epochs=3', 'train.splits=1', 'train.sampler_workers=0']);
    const r = runProtocol({ config: runCfg, data });
    assert.ok(r.best.logits, "mini-batch runs return the best weights' logits");
    const meta = {
      model: runCfg.model,
      config: runCfg,
      dims: { numFeatures: data.numFeatures, numClasses: data.numClasses },
      dataset: { name: data.name, hash: data.hash },
      split: r.best.split,
      metrics: {},
    };
    const restored = taskFromWeights({ meta, tensors: r.best.state }, data, r.best.split);
    try {
      assert.deepEqual(r.best.logits, restored.task.logits(), 'the logits of the checkpoint restored');
    } finally {
      restored.dispose();
    }
  });
});

describe('batching from the config', () => {
  const small = tinyGraph();
  it('is full batch by default and mini-batch when batch_size is set', () => {
    assert.equal(resolveBatching(testConfig(), small), null);
    const b = resolveBatching(testConfig(['train.batch_size=64', 'model.name=sage']), small);
    assert.deepEqual(b && { bs: b.batchSize, f: b.fanouts, auto: b.auto }, { bs: 64, f: [15, 10], auto: null });
  });

  it('switches to mini-batch when the full-batch estimate is over train.full_batch_max_gib, and says why', () => {
    // Shapes only: the estimate reads the node, feature and edge-entry counts (the products and arxiv shapes).
    const products = { numNodes: 2_449_029, numFeatures: 100, indptr: Int32Array.from([0, 123_718_280]) };
    const arxiv = { numNodes: 169_343, numFeatures: 128, indptr: Int32Array.from([0, 2_332_102]) };
    const sage256 = ['model.name=sage', 'model.hidden=256'];
    // The figures the config schema documents.
    assert.equal((fullBatchBytes(testConfig(sage256).model, arxiv) / 2 ** 30).toFixed(1), '2.1');
    assert.equal((fullBatchBytes(testConfig(sage256).model, products) / 2 ** 30).toFixed(1), '31.7');
    assert.equal(resolveBatching(testConfig(sage256), arxiv), null);
    const b = resolveBatching(testConfig(sage256), products);
    assert.deepEqual(b && { bs: b.batchSize, f: b.fanouts }, { bs: 1024, f: [15, 10] });
    assert.match(b?.auto ?? '', /2,449,029 nodes .* 31\.7 GiB .*train\.batch_size=0 to force full batch/);
    assert.equal(resolveBatching(testConfig([...sage256, 'train.batch_size=0']), products), null);
    assert.equal(resolveBatching(testConfig([...sage256, 'train.batch_size=256']), products)?.auto, null);
    // The budget is the config's: a wider model or a lower limit tips the same graph over.
    assert.ok(resolveBatching(testConfig([...sage256, 'model.layers=3', 'model.hidden=512']), arxiv));
    assert.ok(resolveBatching(testConfig([...sage256, 'train.full_batch_max_gib=2']), arxiv));
    assert.ok(
      fullBatchBytes(testConfig(['model.name=gat', 'model.hidden=32', 'model.heads=8']).model, arxiv) >
        fullBatchBytes(testConfig(sage256).model, arxiv),
      'GAT adds its per-edge scores',
    );
    assert.throws(
      () => resolveBatching(testConfig(['model.name=appnp', 'model.hidden=256']), products),
      /model\.name=appnp trains full batch only, but a full batch of 2,449,029 nodes .*train\.batch_size=0/,
    );
  });

  it('names the key when fanouts do not match the layers or the model cannot run on blocks', () => {
    assert.throws(
      () => resolveBatching(testConfig(['train.batch_size=8', 'train.fanouts=5,5,5']), small),
      /train\.fanouts: got 5,5,5, expected 2 value\(s\)/,
    );
    assert.throws(
      () => resolveBatching(testConfig(['train.batch_size=8', 'model.name=appnp']), small),
      /train\.batch_size: .*supports gcn, sage, gat, mlp/,
    );
  });
});

describe('the protocol in mini-batches', () => {
  it('learns, reports batches and sampled edges, and gives the same run on sampling threads', () => {
    const data = tinyGraph();
    const over = ['model.name=sage', 'train.batch_size=4', 'train.fanouts=5,5', 'train.epochs=15', 'train.splits=1'];
    const epochs: { batches?: number; edges?: number; loss: number }[] = [];
    const inline = runProtocol({
      config: testConfig([...over, 'train.sampler_workers=0']),
      data,
      onEpoch: (_i, m) => {
        epochs.push({ batches: m.batches, edges: m.sampled_edges, loss: m.train_loss });
        return undefined;
      },
    });
    const threads = runProtocol({ config: testConfig([...over, 'train.sampler_workers=2']), data });
    const trainNodes = data.splits[0].train.reduce((a, v) => a + v, 0);
    assert.equal(epochs[0].batches, Math.ceil(trainNodes / 4));
    assert.ok((epochs[0].edges ?? 0) > trainNodes, 'every seed samples neighbours');
    assert.ok(epochs[epochs.length - 1].loss < epochs[0].loss, 'the training loss falls');
    const h = inline.runs[0];
    assert.equal(threads.runs[0].final.test_acc, h.final.test_acc);
    assert.deepEqual(threads.best.state, inline.best.state);
    assert.ok(h.final.train_acc > 1.5 / data.numClasses, `train accuracy ${h.final.train_acc}`);
  });
});

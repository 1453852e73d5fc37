/**
 * Every hyperparameter reaches the code it names (a learning rate that is parsed but never reaches the optimizer is a silent bug).
 * Each test changes one key through the config schema and checks the effect it must have.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProtocol } from '../../src/train/protocol.js';
import { makeTask, refBackend, testConfig, tinyGraph } from './_fixtures.js';

function weights(s: ReturnType<typeof makeTask>): Float32Array[] {
  return s.model.parameters().map((p) => p.toFloat32());
}

function trainSteps(overrides: string[], steps: number) {
  const s = makeTask(testConfig(overrides));
  const w0 = weights(s);
  const losses: number[] = [];
  for (let e = 0; e < steps; e++) losses.push(s.task.trainingStep().train_loss);
  const w1 = weights(s);
  s.dispose();
  return { w0, w1, losses };
}

const sqNorm = (ws: Float32Array[]) => ws.reduce((a, w) => a + w.reduce((b, v) => b + v * v, 0), 0);

describe('hyperparameters reach the code', () => {
  it('train.lr: 0 leaves every weight unchanged; a larger lr moves the weights further', () => {
    const z = trainSteps(['train.lr=0', 'train.weight_decay=0'], 3);
    for (const [i, w] of z.w1.entries()) assert.deepEqual(w, z.w0[i]);
    const dist = (r: ReturnType<typeof trainSteps>) =>
      r.w1.reduce((a, w, i) => a + w.reduce((b, v, k) => b + (v - r.w0[i][k]) ** 2, 0), 0);
    assert.ok(dist(trainSteps(['train.lr=0.05'], 3)) > dist(trainSteps(['train.lr=0.005'], 3)));
  });

  it('train.weight_decay: shrinks the weights relative to no decay (same seed, same steps)', () => {
    const a = trainSteps(['train.weight_decay=0', 'train.optimizer=sgd', 'train.lr=0.1', 'train.momentum=0'], 20);
    const b = trainSteps(['train.weight_decay=0.5', 'train.optimizer=sgd', 'train.lr=0.1', 'train.momentum=0'], 20);
    assert.ok(sqNorm(b.w1) < sqNorm(a.w1));
  });

  it('train.optimizer: each optimizer gives a different trajectory from the same start', () => {
    const finals = ['adam', 'adamw', 'sgd', 'rmsprop', 'nadam'].map((o) =>
      trainSteps([`train.optimizer=${o}`], 4).losses.at(-1),
    );
    assert.equal(new Set(finals).size, 5);
    const s = makeTask(testConfig(['train.optimizer=rmsprop']));
    assert.equal(s.task.configureOptimizer().kind, 'rmsprop');
    s.dispose();
  });

  it('model.dropout: the training loss (dropout on) differs from the evaluation loss of the same weights only when > 0', () => {
    for (const p of [0, 0.5]) {
      const s = makeTask(testConfig([`model.dropout=${p}`, 'train.lr=0']));
      const tr = s.task.trainingStep().train_loss;
      const ev = s.task.evaluate(['train']).train_loss ?? Number.NaN;
      if (p === 0) assert.ok(Math.abs(tr - ev) < 1e-6, `${tr} vs ${ev}`);
      else assert.ok(Math.abs(tr - ev) > 1e-4, `${tr} vs ${ev}`);
      s.dispose();
    }
  });

  it('model.input_dropout and model.attention_dropout also change the training loss', () => {
    const base = trainSteps(['model.name=gat', 'model.hidden=4', 'model.heads=2', 'model.dropout=0', 'train.lr=0'], 1)
      .losses[0];
    const inp = trainSteps(
      ['model.name=gat', 'model.hidden=4', 'model.heads=2', 'model.dropout=0', 'model.input_dropout=0.5', 'train.lr=0'],
      1,
    ).losses[0];
    const att = trainSteps(
      [
        'model.name=gat',
        'model.hidden=4',
        'model.heads=2',
        'model.dropout=0',
        'model.attention_dropout=0.5',
        'train.lr=0',
      ],
      1,
    ).losses[0];
    assert.notEqual(inp, base);
    assert.notEqual(att, base);
  });

  it('model.hidden, model.layers and model.heads set the parameter shapes', () => {
    const data = tinyGraph();
    const shapes = (o: string[]) => {
      const s = makeTask(testConfig(o), data);
      const r = s.model.namedParameters().map(([n, t]) => [n, [...t.shape]] as const);
      s.dispose();
      return r;
    };
    const g = shapes(['model.name=gcn', 'model.hidden=7', 'model.layers=3']);
    assert.deepEqual(
      g.map(([, sh]) => sh),
      [[data.numFeatures, 7], [7], [7, 7], [7], [7, data.numClasses], [data.numClasses]],
    );
    const a = shapes(['model.name=gat', 'model.hidden=5', 'model.heads=3', 'model.out_heads=2', 'model.layers=2']);
    assert.deepEqual(a[0][1], [data.numFeatures, 15]);
    assert.deepEqual(a[1][1], [3, 5]);
    const outW = a.find(([n]) => n === 'stack.layers.1.lin.weight');
    assert.deepEqual(outW?.[1], [15, 2 * data.numClasses]);
    assert.equal(shapes(['model.name=mlp', 'model.layers=4']).length, 8);
    const ln = shapes(['model.name=sage', 'model.layer_norm=true', 'model.hidden=9']);
    assert.ok(ln.some(([n, sh]) => n === 'stack.norms.0.weight' && sh[0] === 9));
  });

  it('model.appnp_k and model.appnp_alpha change the output; model.activation and model.residual too', () => {
    const out = (o: string[]) => {
      const s = makeTask(testConfig(o));
      const p = s.task.predict().probs;
      s.dispose();
      return p;
    };
    assert.notDeepEqual(out(['model.name=appnp', 'model.appnp_k=1']), out(['model.name=appnp', 'model.appnp_k=3']));
    assert.notDeepEqual(
      out(['model.name=appnp', 'model.appnp_alpha=0.1']),
      out(['model.name=appnp', 'model.appnp_alpha=0.5']),
    );
    assert.notDeepEqual(out(['model.activation=relu']), out(['model.activation=elu']));
    assert.notDeepEqual(out(['model.layers=3']), out(['model.layers=3', 'model.residual=true']));
  });

  it('train.patience bounds the epoch count; train.epochs caps it; train.seed fixes the run', () => {
    const data = tinyGraph();
    for (const patience of [2, 5]) {
      const cfg = testConfig([`train.patience=${patience}`, 'train.epochs=200', 'train.splits=2', 'train.lr=0.05']);
      const r = runProtocol({ config: cfg, data, backend: refBackend });
      for (const run of r.runs)
        assert.ok(run.epochs <= run.bestEpoch + patience + 1 && run.epochs < 200, JSON.stringify(run));
      assert.ok(
        r.runs.some((x) => x.epochs === x.bestEpoch + patience + 1),
        'some run stopped by patience',
      );
    }
    const capped = runProtocol({ config: testConfig(['train.epochs=4', 'train.splits=1']), data, backend: refBackend });
    assert.equal(capped.runs[0].epochs, 4);
    const again = runProtocol({ config: testConfig(['train.epochs=4', 'train.splits=1']), data, backend: refBackend });
    assert.deepEqual(again.runs[0].final, capped.runs[0].final);
    const other = runProtocol({
      config: testConfig(['train.epochs=4', 'train.splits=1', 'train.seed=7']),
      data,
      backend: refBackend,
    });
    assert.notDeepEqual(other.runs[0].final, capped.runs[0].final);
  });

  it('train.splits and train.seeds choose how many runs the protocol makes', () => {
    const data = tinyGraph();
    const r = runProtocol({ config: testConfig(['train.epochs=2', 'train.splits=3']), data, backend: refBackend });
    assert.deepEqual(
      r.runs.map((x) => x.split),
      [0, 1, 2],
    );
    const planetoidLike = { ...data, splits: [data.splits[0]], stoppingMask: 'val' as const };
    const s = runProtocol({
      config: testConfig(['train.epochs=2', 'train.seeds=4']),
      data: planetoidLike,
      backend: refBackend,
    });
    assert.deepEqual(
      s.runs.map((x) => [x.split, x.seed]),
      [
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 3],
      ],
    );
    assert.equal(s.summary.mode, 'seeds');
  });
});

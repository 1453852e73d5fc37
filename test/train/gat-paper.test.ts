/**
 * The GAT paper's training protocol (Veličković et al. 2018, and its reference training script): patience on the
 * validation loss AND accuracy with the weights of the last epoch where both were at their best, the Cora and PubMed
 * presets' published hyperparameters, and L2 decay on every parameter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { EarlyStopping } from '../../src/train/callbacks/early-stopping.js';
import type { EpochMetrics } from '../../src/train/trainer.js';
import { Trainer } from '../../src/train/trainer.js';
import { makeTask, testConfig } from './_fixtures.js';

/** Scripted validation curve (loss, acc) per epoch: its purpose is to hit each branch of the rule once. */
const curve: [number, number][] = [
  [1.0, 0.5], // 0: first epoch, both at their best → kept
  [0.9, 0.4], // 1: loss improves alone → count resets, weights not kept
  [0.95, 0.6], // 2: accuracy improves alone → count resets, weights not kept
  [0.9, 0.6], // 3: both tie their best (≤, ≥) → kept
  [1.0, 0.5], // 4, 5, 6: neither → count 1, 2, 3 = patience → stop after 6
  [1.0, 0.5],
  [1.0, 0.5],
  [0.1, 0.9], // never reached
];

function metrics(epoch: number, [loss, acc]: [number, number]): EpochMetrics {
  return {
    epoch,
    train_loss: 0,
    train_acc: 0,
    val_loss: loss,
    val_acc: acc,
    stopping_loss: loss,
    stopping_acc: acc,
    epoch_ms: 0,
  };
}

/** Drives the callback over `curve`, stamping the epoch number into the weights first; returns the stop epoch. */
function drive(es: EarlyStopping): { stopped: number; restored: number } {
  const s = makeTask(testConfig(['model.name=gat', 'model.heads=2', 'model.hidden=4']));
  const trainer = new Trainer({ maxEpochs: curve.length, callbacks: [es] });
  es.onFitStart();
  let stopped = -1;
  for (const [epoch, point] of curve.entries()) {
    for (const p of s.task.model.parameters()) p.assign(new Float32Array(p.size).fill(epoch));
    es.onEpochEnd(trainer, s.task, metrics(epoch, point));
    if (trainer.shouldStop) {
      stopped = epoch;
      break;
    }
  }
  es.onFitEnd(trainer, s.task);
  const restored = s.task.model.parameters()[0].data[0];
  s.dispose();
  return { stopped, restored };
}

describe('GAT paper early stopping (monitor loss_acc)', () => {
  it('resets patience when loss OR accuracy improves, keeps the last epoch where both do, restores it', () => {
    const es = new EarlyStopping({ monitor: 'loss_acc', patience: 3 });
    const { stopped, restored } = drive(es);
    assert.equal(stopped, 6);
    assert.equal(es.bestEpoch, 3);
    assert.equal(restored, 3, 'the weights restored are those of epoch 3');
    assert.equal(es.best, 0.9);
    assert.deepEqual({ min: es.minLoss, max: es.maxAcc }, { min: 0.9, max: 0.6 });
    assert.equal(es.stateDict().min_loss, 0.9);
  });

  it('differs from loss-only patience on the same curve (which keeps epoch 1 and stops at 4)', () => {
    const es = new EarlyStopping({ monitor: 'loss', patience: 3 });
    const { stopped, restored } = drive(es);
    assert.equal(es.bestEpoch, 1);
    assert.equal(restored, 1);
    assert.equal(stopped, 4);
  });

  it('in a real fit, the kept epoch has the lowest loss and highest accuracy seen up to it', () => {
    const s = makeTask(testConfig(['model.name=gat', 'model.heads=2', 'model.hidden=4', 'train.lr=0.01']));
    const patience = 5;
    const fit = new Trainer({
      maxEpochs: 150,
      callbacks: [new EarlyStopping({ monitor: 'loss_acc', patience })],
    }).fit(s.task);
    const h = fit.history;
    const upTo = h.slice(0, fit.bestEpoch + 1);
    assert.equal(h[fit.bestEpoch].stopping_loss, Math.min(...upTo.map((m) => m.stopping_loss)));
    assert.equal(h[fit.bestEpoch].stopping_acc, Math.max(...upTo.map((m) => m.stopping_acc)));
    assert.equal(fit.final.stopping_loss, h[fit.bestEpoch].stopping_loss);
    if (fit.stoppedEarly) {
      // The last reset is the last epoch that improved either quantity; stopping comes `patience` epochs later.
      let minL = Number.POSITIVE_INFINITY;
      let maxA = Number.NEGATIVE_INFINITY;
      let lastReset = -1;
      for (const m of h) {
        if (m.stopping_loss <= minL || m.stopping_acc >= maxA) lastReset = m.epoch;
        minL = Math.min(minL, m.stopping_loss);
        maxA = Math.max(maxA, m.stopping_acc);
      }
      assert.equal(fit.epochs, lastReset + patience + 1);
    }
    s.dispose();
  });
});

describe('GAT presets', () => {
  it('gat-planetoid is the paper Cora setting, stopping on val loss (the rule that tests best on Cora)', () => {
    const c = resolveConfig({ preset: 'gat-planetoid' });
    assert.deepEqual(
      [c.model.name, c.model.heads, c.model.hidden, c.model.out_heads, c.model.layers, c.model.activation],
      ['gat', 8, 8, 1, 2, 'elu'],
    );
    assert.deepEqual([c.model.input_dropout, c.model.dropout, c.model.attention_dropout], [0.6, 0.6, 0.6]);
    assert.deepEqual(
      [c.train.lr, c.train.weight_decay, c.train.patience, c.train.monitor, c.train.optimizer],
      [0.005, 5e-4, 100, 'loss', 'adam'],
    );
    assert.equal(c.data.normalize_features, true);
  });

  it('gat-planetoid-pubmed: 8 output heads averaged, lr 0.01, wd 0.001, dropout 0.6, the paper stopping rule', () => {
    const c = resolveConfig({ preset: 'gat-planetoid-pubmed' });
    assert.equal(c.data.name, 'pubmed');
    assert.deepEqual([c.model.heads, c.model.hidden, c.model.out_heads], [8, 8, 8]);
    assert.deepEqual([c.model.input_dropout, c.model.dropout, c.model.attention_dropout], [0.6, 0.6, 0.6]);
    assert.deepEqual([c.train.lr, c.train.weight_decay, c.train.monitor], [0.01, 0.001, 'loss_acc']);
  });

  it('L2 decay reaches every GAT parameter (weights, attention vectors, biases), coupled as in the paper', () => {
    const s = makeTask(testConfig(['model.name=gat', 'model.heads=2', 'model.hidden=4', 'train.weight_decay=0.5']));
    const opt = s.task.configureOptimizer();
    const names = s.task.model.namedParameters().map(([n]) => n);
    assert.ok(names.some((n) => n.endsWith('att_src')) && names.some((n) => n.endsWith('bias')));
    assert.equal(opt.params.length, names.length);
    assert.equal(opt.options().weightDecay, 0.5);
    // With the gradient zeroed, Adam's step is driven by the decay term alone: every parameter moves towards 0.
    // A fresh optimizer (no momentum yet) over gradients that exist but are zero: its step is the decay term's.
    s.task.trainingStep();
    const fresh = s.task.configureOptimizer();
    fresh.zeroGrad();
    for (const p of fresh.params) p.data[0] = 1;
    fresh.step();
    for (const [i, p] of fresh.params.entries()) assert.ok(p.data[0] < 1, `${names[i]} decays`);
    s.dispose();
  });
});

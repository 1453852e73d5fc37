import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { makeSearcher } from '../../src/sweep/search/index.js';
import { loadSweepSpec, parseSweepYaml } from '../../src/sweep/spec.js';
import { checkSweep, getAt, trialConfig } from '../../src/sweep/trial-config.js';
import { isGnnopsError } from '../../src/util/errors.js';

const example = resolve(import.meta.dirname, '../../examples/sweeps/wikics-bayes.yaml');

/** Expected config key and value for each flag of the W&B-style training CLI the sweep aliases accept. */
const expected: Record<string, (v: unknown) => [string, unknown]> = {
  'learning-rate': (v) => ['train.lr', v],
  'optimizer-name': (v) => ['train.optimizer', String(v).toLowerCase()],
  'weight-decay': (v) => ['train.weight_decay', v],
  dropout: (v) => ['model.dropout', v],
  'hidden-layers': (v) => ['model.layers', (v as number) + 1],
  'hidden-channels': (v) => ['model.hidden', v],
  'num-epochs': (v) => ['train.epochs', v],
  'num-splits': (v) => ['train.splits', v],
};

describe('sweep parameters → config', () => {
  it('parses a W&B sweep file written for the flag-style training CLI', () => {
    const s = loadSweepSpec(example);
    assert.equal(s.method, 'bayes');
    assert.deepEqual(s.metric, { name: 'val_acc', goal: 'maximize' });
    assert.equal(s.run_cap, 40);
    assert.deepEqual(
      s.parameters.map((p) => `${p.name}:${p.distribution}`),
      [
        'learning-rate:log_uniform_values',
        'optimizer-name:categorical',
        'weight-decay:log_uniform_values',
        'dropout:uniform',
        'hidden-layers:int_uniform',
        'hidden-channels:int_uniform',
        'num-epochs:categorical',
        'num-splits:categorical',
        'batch-size:categorical',
      ],
    );
    assert.match(s.notes.join('\n'), /program "train.py" ignored/);
  });

  it('lands every sampled parameter in the config key it names (the old system never passed lr on)', () => {
    const spec = loadSweepSpec(example);
    const notes = checkSweep(spec);
    assert.match(notes.join('\n'), /batch-size: 11701 equals the node count of wikics; training is full-batch/);
    const searcher = makeSearcher({ ...spec, method: 'random' }, 7);
    const lrs = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const params = searcher.suggest(i, [])!;
      const { config, applied } = trialConfig(params);
      for (const [name, value] of Object.entries(params)) {
        if (name === 'batch-size') {
          assert.equal(applied.find((a) => a.param === name)?.key, null);
          continue;
        }
        const [key, want] = expected[name](value);
        assert.deepEqual(getAt(config, key), want, `${name}=${JSON.stringify(value)} must reach ${key}`);
      }
      assert.ok(config.train.lr >= 1e-5 && config.train.lr <= 1e-2, `lr ${config.train.lr} within 1e-5..1e-2`);
      assert.ok(config.model.layers >= 2 && config.model.layers <= 9);
      lrs.add(config.train.lr);
    }
    assert.equal(lrs.size, 40, 'every trial gets its own learning rate');
  });

  it('accepts dotted config keys and underscore spellings, sweep values winning over base overrides', () => {
    const { config } = trialConfig(
      { 'train.lr': 0.005, learning_rate: 0.005, 'model.name': 'gat', heads: 4, Model: 'GAT' },
      { preset: 'gcn-planetoid', overrides: ['train.lr=0.1', 'model.hidden=99'] },
    );
    assert.equal(config.train.lr, 0.005);
    assert.equal(config.model.hidden, 99);
    assert.equal(config.model.name, 'gat');
    assert.equal(config.model.heads, 4);
    assert.equal(config.data.name, 'cora');
  });

  it('rejects unknown names and bad values before any trial runs, naming the parameter', () => {
    const bad = (yaml: string, pattern: RegExp) =>
      assert.throws(
        () => checkSweep(parseSweepYaml(yaml)),
        (e: unknown) => isGnnopsError(e) && pattern.test(e.message),
      );
    bad('method: grid\nparameters: {learnin-rate: {values: [0.1]}}', /parameters.learnin-rate: unknown parameter/);
    bad('method: grid\nparameters: {optimizer-name: {values: [Adam, Adagrad]}}', /"Adagrad" is not a known optimizer/);
    bad(
      'method: grid\nparameters: {model.hiden: {values: [3]}}',
      /parameters.model.hiden: value 3 .*unknown key "model.hiden"/s,
    );
    bad(
      'method: random\nrun_cap: 2\nparameters: {dropout: {min: 0.0, max: 1.5}}',
      /parameters.dropout: value 1.5 gives an invalid config for model.dropout/,
    );
  });

  it('every example sweep file validates against the config schema', () => {
    const dir = resolve(import.meta.dirname, '../../examples/sweeps');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const spec = loadSweepSpec(join(dir, f));
      checkSweep(spec);
      const params = makeSearcher(spec, 1).suggest(0, []);
      assert.ok(params, f);
      trialConfig(params);
    }
  });

  it('says out loud that a batch size other than the node count is ignored', () => {
    const notes = checkSweep(parseSweepYaml('method: grid\nparameters: {batch-size: {values: [64, 128]}}'), {
      preset: 'gcn-planetoid',
    });
    assert.match(notes[0], /batch-size: ignored — gnnops trains full-batch on every node \(2708 for cora\)/);
  });
});

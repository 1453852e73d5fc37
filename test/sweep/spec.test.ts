import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSweepSpec, parseSweepYaml } from '../../src/sweep/spec.js';
import { isGnnopsError } from '../../src/util/errors.js';

function fails(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseSweepYaml(text),
    (e: unknown) => isGnnopsError(e) && pattern.test(e.message),
  );
}

describe('sweep spec: W&B format', () => {
  it('infers distributions as W&B does: values → categorical, integer bounds → int_uniform, float → uniform', () => {
    const s = parseSweepYaml(`
method: random
run_cap: 3
parameters:
  a: {values: [1, 2]}
  b: {min: 1, max: 8}
  c: {min: 1.0, max: 8.0}
  d: {min: 0, max: 0.5}
  e: {value: 7}
`);
    const dist = Object.fromEntries(s.parameters.map((p) => [p.name, p.distribution]));
    assert.deepEqual(dist, { a: 'categorical', b: 'int_uniform', c: 'uniform', d: 'uniform', e: 'constant' });
  });

  it('fills defaults: goal minimize, eta 3, q 1, normal mu 0 sigma 1', () => {
    const s = parseSweepYaml(`
method: bayes
metric: {name: loss}
run_cap: 5
early_terminate: {type: hyperband, min_iter: 2}
parameters:
  x: {distribution: q_uniform, min: 0, max: 10}
  y: {distribution: normal}
`);
    assert.equal(s.metric?.goal, 'minimize');
    assert.equal(s.early_terminate?.eta, 3);
    assert.deepEqual(s.parameters[0], { name: 'x', distribution: 'q_uniform', min: 0, max: 10, q: 1 });
    assert.deepEqual(s.parameters[1], { name: 'y', distribution: 'normal', mu: 0, sigma: 1, q: 1 });
  });

  it('flattens nested parameters blocks into dotted names', () => {
    const s = parseSweepYaml(`
method: grid
parameters:
  model:
    parameters:
      hidden: {values: [16, 32]}
      layers: {min: 2, max: 3}
`);
    assert.deepEqual(
      s.parameters.map((p) => [p.name, p.distribution]),
      [
        ['model.hidden', 'categorical'],
        ['model.layers', 'int_uniform'],
      ],
    );
  });

  it('accepts program/command but notes that they are ignored', () => {
    const s = parseSweepYaml(
      'program: train.py\ncommand: [python, train.py]\nmethod: grid\nparameters: {a: {values: [1]}}\n',
    );
    assert.equal(s.notes.length, 2);
    assert.match(s.notes[0], /program "train.py" ignored/);
  });

  it('warns that log_uniform takes natural-log bounds when they look like values', () => {
    const s = parseSweepYaml(
      'method: random\nrun_cap: 1\nparameters:\n  lr: {distribution: log_uniform, min: 0.00001, max: 0.01}\n',
    );
    assert.match(s.notes.join('\n'), /natural-log bounds.*log_uniform_values/);
  });

  it('names the key in every error', () => {
    fails(
      'method: anneal\nparameters: {a: {values: [1]}}',
      /method: got "anneal", expected one of "grid", "random", "bayes"/,
    );
    fails('method: grid\nparameters: {a: {values: [1]}}\nbogus: 1', /unknown key\(s\) "bogus"/);
    fails('method: random\nparameters: {a: {values: [1]}}', /run_cap: method random never ends/);
    fails('method: bayes\nrun_cap: 2\nparameters: {a: {values: [1]}}', /metric: method bayes needs a metric/);
    fails('method: grid\nparameters: {lr: {min: 3, max: 1}}', /parameters.lr: min 3 is greater than max 1/);
    fails(
      'method: grid\nparameters: {lr: {distribution: log_uniform_values, min: 0, max: 1}}',
      /parameters.lr.min: log_uniform_values needs min > 0/,
    );
    fails(
      'method: grid\nparameters: {a: {distribution: uniform, min: 0, max: 1, mu: 2}}',
      /parameters.a: "mu" does not apply to distribution uniform/,
    );
    fails(
      'method: grid\nparameters: {a: {values: [1, 2], probabilities: [0.5, 0.6]}}',
      /parameters.a.probabilities: they sum to 1.1/,
    );
    fails(
      'method: grid\nparameters: {a: {distribution: int_uniform, min: 0.5, max: 3}}',
      /int_uniform needs integer min and max/,
    );
    fails('method: grid\nparameters: {a: {q: 2}}', /parameters.a: give "value", "values"/);
    fails('method: grid\nparameters: {a: {values: []}}', /parameters.a.values/);
    fails(
      'method: grid\nmetric: {name: x}\nearly_terminate: {type: hyperband, max_iter: 27}\nparameters: {a: {values: [1]}}',
      /early_terminate.s: max_iter needs s/,
    );
    fails(
      'method: grid\nparameters: {a: {values: [1]}}\nearly_terminate: {type: hyperband, min_iter: 3}',
      /metric: early_terminate/,
    );
  });

  it('judges integer bounds by number when given an object rather than YAML', () => {
    const s = parseSweepSpec({
      method: 'random',
      run_cap: 1,
      parameters: { a: { min: 1, max: 4 }, b: { min: 0.5, max: 4 } },
    });
    assert.equal(s.parameters[0].distribution, 'int_uniform');
    assert.equal(s.parameters[1].distribution, 'uniform');
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parallelCoordinates } from '../../src/sweep/charts.js';
import { InProcessExecutor } from '../../src/sweep/executor.js';
import { correlationRatio, parameterImportance, spearman } from '../../src/sweep/importance.js';
import { makeRng } from '../../src/sweep/rng.js';
import { createSweep, runSweep } from '../../src/sweep/runner.js';
import { parseSweepYaml } from '../../src/sweep/spec.js';
import { SweepStore } from '../../src/sweep/store.js';
import { openStore } from '../../src/track/store.js';
import { trial as synthetic } from './fixtures/synthetic-trial.js';

const root = resolve(import.meta.dirname, '../..');

describe('parameter importance', () => {
  it('Spearman ρ is ±1 for monotone relations (any scale) and handles ties', async () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 100, 1000, 1e4]), 1);
    assert.equal(spearman([1e-4, 1e-3, 1e-2], [0.9, 0.5, 0.1]), -1);
    assert.ok(Math.abs(spearman([1, 1, 2, 2], [1, 2, 3, 4]) - 0.894427) < 1e-5);
  });

  it('correlation ratio η is 1 when the category explains everything and 0 when it explains nothing', async () => {
    assert.equal(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5]), 1);
    assert.equal(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 5, 5]), 0);
  });

  it('ranks the parameter that drives the metric first', async () => {
    const spec = parseSweepYaml(
      'method: random\nrun_cap: 1\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}\n  noise: {min: 0.0, max: 1.0}\n  opt: {values: [a, b]}\n',
    );
    const rng = makeRng(42); // noise parameters, independent of the metric
    const trials = Array.from({ length: 30 }, (_, i) => {
      const lr = 10 ** (-4 + (3 * i) / 29);
      return { params: { lr, noise: rng.next(), opt: i % 2 ? 'a' : 'b' }, value: -Math.log10(lr) };
    });
    const imp = parameterImportance(spec.parameters, trials);
    assert.equal(imp[0].param, 'lr');
    assert.equal(imp[0].value, -1);
    assert.ok(Math.abs(imp[1].value) < 0.4 && Math.abs(imp[2].value) < 0.4);
  });
});

describe('parallel coordinates', () => {
  it('draws one line per trial with a value, the best last, stopped trials dashed', async () => {
    const spec = parseSweepYaml(
      'method: random\nrun_cap: 1\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}\n  opt: {values: [adam, sgd]}\n  fixed: {value: 3}\n',
    );
    const svg = parallelCoordinates({
      params: spec.parameters,
      metric: 'val_acc',
      goal: 'maximize',
      trials: [
        { index: 0, params: { lr: 0.001, opt: 'adam' }, value: 0.7 },
        { index: 1, params: { lr: 0.01, opt: 'sgd' }, value: 0.9 },
        { index: 2, params: { lr: 0.05, opt: 'sgd' }, value: 0.3, status: 'stopped' },
        { index: 3, params: { lr: 0.02, opt: 'adam' }, value: null },
      ],
    });
    assert.equal((svg.match(/<polyline/g) ?? []).length, 3);
    assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 1);
    const lines = svg.match(/<polyline[^>]*>/g) ?? [];
    assert.match(lines[2], /stroke-width="3"/);
    assert.match(svg, /<title>trial 1: val_acc 0.9<\/title><\/polyline>\n(?!<polyline)/);
    // Axes: lr (log), opt, val_acc; the constant is not an axis.
    for (const name of ['>lr<', '>opt<', '>val_acc<']) assert.ok(svg.includes(name), name);
    assert.ok(!svg.includes('>fixed<'));
    assert.ok(svg.includes('>1.0e-3<') && svg.includes('>0.05<'));
  });
});

describe('gnnops sweep show', () => {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-show-'));
  after(async () => rmSync(home, { recursive: true, force: true }));

  it('prints the best trial and the table, and writes the charts and the best config', async () => {
    const store = await openStore({ home });
    const sweeps = new SweepStore(store);
    const spec = parseSweepYaml(
      'name: demo\nmethod: random\nmetric: {name: val_acc, goal: maximize}\nrun_cap: 6\nparameters:\n  learning-rate: {distribution: log_uniform_values, min: 0.0001, max: 0.1}\n  optimizer-name: {values: [Adam, AdamW]}\n  batch-size: {value: 11701}\n',
    );
    const rec = await createSweep(sweeps, spec, { seed: 3 });
    const res = await runSweep(sweeps, rec.id, { executor: new InProcessExecutor(synthetic, 1) });
    await store.close();
    const out = join(home, 'report');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'sweep', 'show', rec.id.slice(0, 6), '--out', out, '--json'],
      { env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const shown = JSON.parse(run.stdout) as {
      best: { index: number; value: number };
      trials: unknown[];
      files: string[];
      sweep: { notes: string[] };
    };
    assert.equal(shown.best.index, res.best?.index);
    assert.equal(shown.trials.length, 6);
    assert.match(shown.sweep.notes.join('\n'), /batch-size: 11701 equals the node count/);
    for (const f of ['parallel-coordinates.svg', 'importance.svg', 'best-config.yaml']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const best = parseYaml(readFileSync(join(out, 'best-config.yaml'), 'utf8')) as { train: { lr: number } };
    assert.equal(best.train.lr, res.best?.params['learning-rate']);
    const human = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'sweep', 'show', rec.id],
      {
        env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      },
    );
    assert.match(human.stdout, new RegExp(`best: trial ${res.best?.index} val_acc = `));
    assert.match(human.stdout, /#\s+status\s+val_acc\s+epochs\s+learning-rate\s+optimizer-name\s+batch-size/);
  });
});

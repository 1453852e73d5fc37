import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSearcher, type Observation } from '../../src/sweep/search/index.js';
import { parseSweepSpec, parseSweepYaml } from '../../src/sweep/spec.js';
import { isGnnopsError } from '../../src/util/errors.js';

function draws(yaml: string, n = 4000, seed = 1): number[] {
  const spec = parseSweepYaml(`method: random\nrun_cap: 1\nparameters:\n  x: ${yaml}\n`);
  const s = makeSearcher(spec, seed);
  return Array.from({ length: n }, (_, i) => s.suggest(i, [])!.x as number);
}

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

describe('grid search', () => {
  it('enumerates the cartesian product in file order, last parameter fastest, then stops', () => {
    const spec = parseSweepYaml(
      'method: grid\nparameters:\n  a: {values: [1, 2]}\n  b: {values: [x, y, z]}\n  c: {value: 0}\n',
    );
    const s = makeSearcher(spec, 0);
    assert.equal(s.size, 6);
    const all = Array.from({ length: 6 }, (_, i) => s.suggest(i, []));
    assert.deepEqual(all[0], { a: 1, b: 'x', c: 0 });
    assert.deepEqual(all[1], { a: 1, b: 'y', c: 0 });
    assert.deepEqual(all[5], { a: 2, b: 'z', c: 0 });
    assert.equal(new Set(all.map((p) => JSON.stringify(p))).size, 6);
    assert.equal(s.suggest(6, []), null);
  });

  it('expands int_uniform and q_uniform, and refuses continuous parameters naming them', () => {
    const s = makeSearcher(
      parseSweepYaml(
        'method: grid\nparameters:\n  a: {min: 1, max: 3}\n  b: {distribution: q_uniform, min: 0, max: 0.3, q: 0.1}\n',
      ),
      0,
    );
    assert.equal(s.size, 12);
    assert.deepEqual(s.suggest(3, []), { a: 1, b: 0.3 });
    assert.throws(
      () =>
        makeSearcher(
          parseSweepYaml('method: grid\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}\n'),
          0,
        ),
      (e: unknown) => isGnnopsError(e) && /parameters.lr: method grid needs a finite set of values/.test(e.message),
    );
  });
});

describe('random search distributions (W&B semantics)', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    assert.deepEqual(draws('{min: 0.0, max: 1.0}', 5, 3), draws('{min: 0.0, max: 1.0}', 5, 3));
    assert.notDeepEqual(draws('{min: 0.0, max: 1.0}', 5, 3), draws('{min: 0.0, max: 1.0}', 5, 4));
  });

  it('int_uniform covers every integer in [min, max] evenly', () => {
    const d = draws('{min: 1, max: 4}');
    assert.ok(d.every((x) => Number.isInteger(x) && x >= 1 && x <= 4));
    for (let k = 1; k <= 4; k++) {
      const f = d.filter((x) => x === k).length / d.length;
      assert.ok(Math.abs(f - 0.25) < 0.03, `P(${k}) = ${f}`);
    }
  });

  it('log_uniform takes natural-log bounds; log_uniform_values takes values (median = geometric mean)', () => {
    const a = draws('{distribution: log_uniform, min: -9.2103, max: -2.3026}');
    assert.ok(a.every((x) => x >= 1e-4 * 0.999 && x <= 0.1 * 1.001));
    const b = draws('{distribution: log_uniform_values, min: 0.0001, max: 0.1}');
    assert.ok(b.every((x) => x >= 1e-4 && x <= 0.1));
    for (const d of [a, b]) assert.ok(Math.abs(Math.log10(median(d)) + 2.5) < 0.1, `median ${median(d)}`);
  });

  it('inv_log_uniform_values: ln(1/X) uniform on [ln(1/max), ln(1/min)]', () => {
    const d = draws('{distribution: inv_log_uniform_values, min: 0.01, max: 1.0}');
    assert.ok(d.every((x) => x >= 0.01 * 0.999 && x <= 1.0001));
    assert.ok(Math.abs(Math.log10(median(d)) + 1) < 0.1);
  });

  it('q_uniform returns multiples of q; normal and log_normal have the given mu and sigma', () => {
    assert.ok(draws('{distribution: q_uniform, min: 0, max: 256, q: 8}').every((x) => x % 8 === 0));
    const n = draws('{distribution: normal, mu: 5, sigma: 2}');
    assert.ok(Math.abs(mean(n) - 5) < 0.15);
    const sd = Math.sqrt(mean(n.map((x) => (x - 5) ** 2)));
    assert.ok(Math.abs(sd - 2) < 0.15, `sd ${sd}`);
    const ln = draws('{distribution: log_normal, mu: 1, sigma: 0.5}').map(Math.log);
    assert.ok(Math.abs(mean(ln) - 1) < 0.05);
  });

  it('categorical follows the given probabilities', () => {
    const spec = parseSweepYaml(
      'method: random\nrun_cap: 1\nparameters:\n  c: {values: [a, b], probabilities: [0.8, 0.2]}\n',
    );
    const s = makeSearcher(spec, 9);
    const f = Array.from({ length: 4000 }, (_, i) => s.suggest(i, [])!.c).filter((v) => v === 'a').length / 4000;
    assert.ok(Math.abs(f - 0.8) < 0.03, `P(a) = ${f}`);
  });
});

/** Branin (Dixon & Szegő 1978), the standard 2-D test function; global minimum 0.397887 at three points. */
function branin(x: number, y: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
}
const BRANIN_MIN = 0.397887;

/** A 4-parameter shifted quadratic over the kinds of parameter a GNN sweep has (log lr, dropout, int, categorical). */
function quad4(p: Record<string, unknown>): number {
  return (
    (Math.log10(p.lr as number) + 2.5) ** 2 +
    10 * ((p.dropout as number) - 0.3) ** 2 +
    (((p.hidden as number) - 100) / 100) ** 2 +
    (p.opt === 'c' ? 0 : 0.5)
  );
}

function study(
  method: 'random' | 'bayes',
  spec: ReturnType<typeof parseSweepSpec>,
  f: (p: Record<string, unknown>) => number,
  opt: number,
  eps: number,
  n: number,
) {
  const regrets: number[] = [];
  const toTarget: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    const s = makeSearcher({ ...spec, method }, 1000 + seed);
    const hist: Observation[] = [];
    let best = Number.POSITIVE_INFINITY;
    let hit = n + 1; // not reached within the budget counts as n + 1
    for (let i = 0; i < n; i++) {
      const p = s.suggest(i, hist)!;
      const v = f(p);
      hist.push({ params: p, loss: v });
      best = Math.min(best, v);
      if (best - opt <= eps && hit > n) hit = i + 1;
    }
    regrets.push(best - opt);
    toTarget.push(hit);
  }
  return { regret: mean(regrets), trials: mean(toTarget) };
}

describe('bayes (TPE) versus random on known objectives, 10 seeds each', () => {
  it('Branin: lower mean regret after 60 trials and fewer trials to within 0.1 of the optimum', () => {
    const spec = parseSweepSpec({
      method: 'bayes',
      metric: { name: 'f', goal: 'minimize' },
      run_cap: 60,
      parameters: { x: { distribution: 'uniform', min: -5, max: 10 }, y: { distribution: 'uniform', min: 0, max: 15 } },
    });
    const f = (p: Record<string, unknown>) => branin(p.x as number, p.y as number);
    const rnd = study('random', spec, f, BRANIN_MIN, 0.1, 60);
    const tpe = study('bayes', spec, f, BRANIN_MIN, 0.1, 60);
    assert.ok(tpe.regret < 0.5 * rnd.regret, `regret tpe ${tpe.regret} vs random ${rnd.regret}`);
    assert.ok(tpe.trials < rnd.trials - 5, `trials-to-target tpe ${tpe.trials} vs random ${rnd.trials}`);
  });

  it('4 mixed parameters (log, linear, integer, categorical): lower mean regret after 60 trials', () => {
    const spec = parseSweepSpec({
      method: 'bayes',
      metric: { name: 'f', goal: 'minimize' },
      run_cap: 60,
      parameters: {
        lr: { distribution: 'log_uniform_values', min: 1e-5, max: 1e-1 },
        dropout: { distribution: 'uniform', min: 0, max: 0.8 },
        hidden: { distribution: 'int_uniform', min: 8, max: 256 },
        opt: { values: ['a', 'b', 'c', 'd'] },
      },
    });
    const rnd = study('random', spec, quad4, 0, 0.1, 60);
    const tpe = study('bayes', spec, quad4, 0, 0.1, 60);
    assert.ok(tpe.regret < 0.7 * rnd.regret, `regret tpe ${tpe.regret} vs random ${rnd.regret}`);
    assert.ok(tpe.trials < rnd.trials, `trials-to-target tpe ${tpe.trials} vs random ${rnd.trials}`);
  });

  it('maximises when told to: negated losses steer towards the maximum', () => {
    const spec = parseSweepSpec({
      method: 'bayes',
      metric: { name: 'acc', goal: 'maximize' },
      run_cap: 40,
      parameters: { x: { distribution: 'uniform', min: 0, max: 1 } },
    });
    const s = makeSearcher(spec, 5);
    const hist: Observation[] = [];
    for (let i = 0; i < 40; i++) {
      const p = s.suggest(i, hist)!;
      const acc = 1 - ((p.x as number) - 0.8) ** 2;
      hist.push({ params: p, loss: -acc });
    }
    const late = hist.slice(20).map((o) => o.params.x as number);
    assert.ok(Math.abs(median(late) - 0.8) < 0.1, `late median ${median(late)}`);
  });
});

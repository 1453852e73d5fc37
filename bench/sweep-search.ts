/**
 * Search efficiency of `bayes` (TPE) against `random` on known objectives, many seeds per budget.
 *   npm run bench -- sweep-search [seeds=30]
 * Objectives: Branin (2-D, minimum 0.397887) and a 4-parameter shifted quadratic over the parameter kinds of a GNN
 * sweep (log-uniform lr, uniform dropout, int hidden, 4-way categorical; minimum 0). Prints mean regret (best found
 * minus the optimum) after 20/40/60 trials and the mean number of trials to get within 0.1 of the optimum.
 */
import { makeSearcher, type Observation } from '../src/sweep/search/index.js';
import { parseSweepSpec, type SweepSpec } from '../src/sweep/spec.js';

type Objective = (p: Record<string, unknown>) => number;

const branin: Objective = (p) => {
  const x = p.x as number;
  const y = p.y as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (y - b * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
};
const quad4: Objective = (p) =>
  (Math.log10(p.lr as number) + 2.5) ** 2 +
  10 * ((p.dropout as number) - 0.3) ** 2 +
  (((p.hidden as number) - 100) / 100) ** 2 +
  (p.opt === 'c' ? 0 : 0.5);

const problems: Array<{ name: string; spec: SweepSpec; f: Objective; opt: number }> = [
  {
    name: 'branin',
    opt: 0.397887,
    f: branin,
    spec: parseSweepSpec({
      method: 'bayes',
      metric: { name: 'f' },
      run_cap: 60,
      parameters: { x: { distribution: 'uniform', min: -5, max: 10 }, y: { distribution: 'uniform', min: 0, max: 15 } },
    }),
  },
  {
    name: 'quad4',
    opt: 0,
    f: quad4,
    spec: parseSweepSpec({
      method: 'bayes',
      metric: { name: 'f' },
      run_cap: 60,
      parameters: {
        lr: { distribution: 'log_uniform_values', min: 1e-5, max: 1e-1 },
        dropout: { distribution: 'uniform', min: 0, max: 0.8 },
        hidden: { distribution: 'int_uniform', min: 8, max: 256 },
        opt: { values: ['a', 'b', 'c', 'd'] },
      },
    }),
  },
];

export default async function (args: string[]): Promise<void> {
  const seeds = Number(args[0] ?? 30);
  const budgets = [20, 40, 60];
  console.log(`seeds: ${seeds}`);
  console.log('problem  method  regret@20  regret@40  regret@60  trials-to-0.1 (61 = not reached)  ms/suggest');
  for (const pr of problems) {
    for (const method of ['random', 'bayes'] as const) {
      const regret = budgets.map(() => 0);
      let toTarget = 0;
      let ms = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const s = makeSearcher({ ...pr.spec, method }, 5000 + seed);
        const hist: Observation[] = [];
        let best = Number.POSITIVE_INFINITY;
        let hit = 61;
        for (let i = 0; i < 60; i++) {
          const t0 = performance.now();
          const p = s.suggest(i, hist)!;
          ms += performance.now() - t0;
          const v = pr.f(p);
          hist.push({ params: p, loss: v });
          best = Math.min(best, v);
          if (best - pr.opt <= 0.1 && hit === 61) hit = i + 1;
          const b = budgets.indexOf(i + 1);
          if (b >= 0) regret[b] += best - pr.opt;
        }
        toTarget += hit;
      }
      console.log(
        [
          pr.name.padEnd(7),
          method.padEnd(6),
          ...regret.map((r) => (r / seeds).toFixed(3).padStart(9)),
          (toTarget / seeds).toFixed(1).padStart(10),
          (ms / (seeds * 60)).toFixed(3).padStart(30),
        ].join('  '),
      );
    }
  }
}

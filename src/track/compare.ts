import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart } from '../charts/svg.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Tracker } from './tracker.js';
import type { RunStatus } from './types.js';

export interface RunComparison {
  runs: { id: string; name: string; experiment: string; status: RunStatus }[];
  /** Every param key of any run; `values[i]` is run i's value (null when it has none). */
  params: { key: string; values: (string | null)[]; differs: boolean }[];
  /** Last value of every metric; `best` is the index of the best run (max; min for loss/error keys). */
  metrics: { key: string; values: (number | null)[]; best: number | null; goal: 'max' | 'min' }[];
  /** Series of the metrics that have more than one point in some run. */
  curves: { key: string; series: { run: string; name: string; steps: number[]; values: number[] }[] }[];
}

/** Lower is better for losses and errors; higher for everything else. */
export function metricGoal(key: string): 'max' | 'min' {
  return /loss|error|err$|mse|mae|rmse|perplexity|_time|duration/i.test(key) ? 'min' : 'max';
}

/** Compare runs (ids, prefixes or names): params diff, last metrics with the best marked, metric curves. */
export async function compareRuns(
  tracker: Tracker,
  refs: readonly string[],
  opts: { metrics?: string[] } = {},
): Promise<RunComparison> {
  const runs = await Promise.all(refs.map((r) => tracker.getRun(r)));
  const params = await Promise.all(runs.map((r) => tracker.params(r.id)));
  const last = await Promise.all(runs.map((r) => tracker.latestMetrics(r.id)));
  const paramKeys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  let metricKeys = [...new Set(last.flatMap((m) => Object.keys(m)))].sort();
  if (opts.metrics && opts.metrics.length > 0) metricKeys = metricKeys.filter((k) => opts.metrics!.includes(k));
  const metrics = metricKeys.map((key) => {
    const values = last.map((m) => (m[key] && Number.isFinite(m[key].value) ? m[key].value : null));
    const goal = metricGoal(key);
    let best: number | null = null;
    values.forEach((v, i) => {
      if (v === null) return;
      const b = best === null ? null : values[best];
      if (b === null || b === undefined || (goal === 'max' ? v > b : v < b)) best = i;
    });
    return { key, values, best, goal };
  });
  const curves: RunComparison['curves'] = [];
  for (const key of metricKeys) {
    const series = await Promise.all(
      runs.map(async (r) => {
        const h = await tracker.metricHistory(r.id, key);
        return { run: r.id, name: r.name, steps: h.map((p) => p.step), values: h.map((p) => p.value) };
      }),
    );
    if (series.some((s) => s.steps.length > 1)) curves.push({ key, series: series.filter((s) => s.steps.length > 0) });
  }
  return {
    runs: runs.map((r) => ({ id: r.id, name: r.name, experiment: r.experiment, status: r.status })),
    params: paramKeys.map((key) => {
      const values = params.map((p) => p[key] ?? null);
      return { key, values, differs: new Set(values).size > 1 };
    }),
    metrics,
    curves,
  };
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 100);
}

/** Run labels for legends: the name, disambiguated by an id prefix when names repeat. */
function labels(c: RunComparison): Map<string, string> {
  const count = new Map<string, number>();
  for (const r of c.runs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return new Map(c.runs.map((r) => [r.id, (count.get(r.name) ?? 0) > 1 ? `${r.name} (${r.id.slice(0, 6)})` : r.name]));
}

/** One SVG line chart per metric curve: `{ file: 'curve-<key>.svg', svg }`. */
export function comparisonCharts(c: RunComparison): { file: string; key: string; svg: string }[] {
  const label = labels(c);
  return c.curves.map((curve) => ({
    key: curve.key,
    file: `curve-${slug(curve.key)}.svg`,
    svg: lineChart({
      title: curve.key,
      xLabel: 'step',
      yLabel: curve.key,
      series: curve.series.map((s) => ({ name: label.get(s.run) ?? s.name, x: s.steps, y: s.values })),
    }),
  }));
}

/** Write the charts, `compare.json` and `compare.md` into `dir`; returns the written paths. */
export function writeComparison(c: RunComparison, dir: string, tables: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const charts = comparisonCharts(c);
  for (const chart of charts) {
    const p = join(dir, chart.file);
    writeFileAtomic(p, chart.svg);
    files.push(p);
  }
  const json = join(dir, 'compare.json');
  writeFileAtomic(json, `${JSON.stringify(c, null, 2)}\n`);
  const md = join(dir, 'compare.md');
  const images = charts.map((ch) => `![${ch.key}](${ch.file})`).join('\n\n');
  writeFileAtomic(md, `# Run comparison\n\n\`\`\`\n${tables}\n\`\`\`\n\n${images}\n`);
  files.push(json, md);
  return files;
}

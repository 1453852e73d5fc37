/**
 * The pictures of `gnnops data stats --out DIR`: class distribution per split, the degree histogram (log-log)
 * and homophily per class against the class share (the level a randomly wired graph would show).
 * Writes SVG always, PNG too when the renderer loads, and stats.json.
 */
import { join } from 'node:path';
import { pngAvailable, svgToPng } from '../charts/png.js';
import { barChart, histogram } from '../charts/svg.js';
import { writeFileAtomic } from '../util/fs.js';
import type { GraphStats } from './stats.js';

export interface ChartFiles {
  files: string[];
  png: boolean;
}

function label(s: GraphStats): string {
  return s.dataset.synthetic ? `${s.dataset.name} (synthetic)` : s.dataset.name;
}

/** SVG documents by file stem. */
export function statsCharts(s: GraphStats): Record<string, string> {
  const sp = s.splits;
  const many = sp.count > 1 ? ` (mean of ${sp.count} splits)` : '';
  const series = [
    { name: `train${many}`, values: sp.train.perClassMean },
    { name: `val${many}`, values: sp.val.perClassMean },
    ...(sp.stoppingMask === 'stopping' ? [{ name: `stopping${many}`, values: sp.stopping.perClassMean }] : []),
    { name: 'test', values: sp.test.perClass },
  ];
  const d = s.degree.histogram;
  return {
    'class-distribution': barChart({
      title: `${label(s)}: nodes per class and split`,
      xLabel: 'class',
      yLabel: 'nodes',
      categories: s.classNames,
      series,
      width: 820,
      height: 460,
    }),
    'degree-histogram': histogram({
      title: `${label(s)}: degree distribution${d.zero ? ` (${d.zero} nodes of degree 0 not shown)` : ''}`,
      xLabel: s.dataset.undirected
        ? 'degree (log scale, bins of powers of 2)'
        : 'out-degree (log scale, bins of powers of 2)',
      yLabel: 'nodes (log scale)',
      edges: d.edges,
      counts: d.counts,
      logX: true,
      logY: true,
    }),
    'homophily-per-class': barChart({
      title: `${label(s)}: homophily per class (edge homophily ${s.homophily.edge.toFixed(3)})`,
      xLabel: 'class',
      yLabel: 'share of edges',
      categories: s.classNames,
      series: [
        { name: 'same-class share', values: s.homophily.perClass.map((p) => p.homophily) },
        {
          name: 'class share (random wiring)',
          values: s.homophily.perClass.map((p) => p.share),
          color: '#bab0ac',
        },
      ],
      width: 820,
      height: 460,
    }),
  };
}

/** Write stats.json and the charts into dir; returns the paths written. */
export function writeStatsReport(s: GraphStats, dir: string): ChartFiles {
  const files: string[] = [];
  const json = join(dir, 'stats.json');
  writeFileAtomic(json, `${JSON.stringify(s, null, 2)}\n`);
  files.push(json);
  const png = pngAvailable();
  for (const [stem, svg] of Object.entries(statsCharts(s))) {
    const p = join(dir, `${stem}.svg`);
    writeFileAtomic(p, svg);
    files.push(p);
    const bytes = png ? svgToPng(svg) : null;
    if (bytes) {
      const pp = join(dir, `${stem}.png`);
      writeFileAtomic(pp, bytes);
      files.push(pp);
    }
  }
  return { files, png };
}

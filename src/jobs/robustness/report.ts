/** Robustness outputs: one SVG (and PNG where the renderer works) per perturbation, plus robustness.json. */
import { join } from 'node:path';
import { svgToPng } from '../../charts/png.js';
import { lineChart } from '../../charts/svg.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { PerturbationKind } from './perturb.js';
import { perturbationLabels, type RobustnessResult } from './robustness.js';

export function robustnessCharts(r: RobustnessResult): Record<string, string> {
  const charts: Record<string, string> = {};
  for (const [kind, points] of Object.entries(r.curves) as [
    PerturbationKind,
    RobustnessResult['curves'][PerturbationKind],
  ][]) {
    charts[`robustness-${kind.replace('_', '-')}`] = lineChart({
      title: `${r.model} on ${r.dataset}${r.synthetic ? ' (synthetic)' : ''}: ${perturbationLabels[kind]}`,
      xLabel: perturbationLabels[kind],
      yLabel: 'test accuracy',
      markers: true,
      series: [{ name: 'test accuracy', x: points.map((p) => p.level), y: points.map((p) => p.test_acc) }],
    });
  }
  return charts;
}

/** Writes the JSON table and the charts into dir; returns the written paths. */
export function writeRobustnessReport(r: RobustnessResult, dir: string): string[] {
  const files: string[] = [];
  const json = join(dir, 'robustness.json');
  writeFileAtomic(json, `${JSON.stringify(r, null, 2)}\n`);
  files.push(json);
  for (const [name, svg] of Object.entries(robustnessCharts(r))) {
    const p = join(dir, `${name}.svg`);
    writeFileAtomic(p, svg);
    files.push(p);
    const png = svgToPng(svg);
    if (png) {
      const pp = join(dir, `${name}.png`);
      writeFileAtomic(pp, png);
      files.push(pp);
    }
  }
  return files;
}

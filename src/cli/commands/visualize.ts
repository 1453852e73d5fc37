/**
 * `gnnops visualize --checkpoint PATH --out DIR`: a 2-D UMAP projection (umap-js, seeded) of the model's last hidden
 * representation, coloured by class, as embedding.svg (+ embedding.png when the PNG renderer is available) and the
 * coordinates as embedding.json. Large graphs are subsampled (--max-points, default 4000) with a seeded shuffle.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { UMAP } from 'umap-js';
import { svgToPng } from '../../charts/png.js';
import { escapeXml, PALETTE } from '../../charts/svg.js';
import { Rng } from '../../engine/index.js';
import { restoreTask } from '../../train/restore.js';
import { writeFileAtomic } from '../../util/fs.js';
import { emit, intFlag } from '../output.js';

interface VisFlags {
  checkpoint: string;
  out: string;
  maxPoints: string;
  seed: string;
  mirror?: string;
  json?: boolean;
}

export interface ScatterPoint {
  x: number;
  y: number;
  label: number;
}

/** A self-contained SVG scatter plot, one colour per class, with a legend. */
export function scatterSvg(points: readonly ScatterPoint[], classNames: readonly string[], title: string): string {
  const W = 760;
  const H = 560;
  const plot = { x: 20, y: 40, w: 540, h: 500 };
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const sx = (v: number) => plot.x + ((v - x0) / (x1 - x0 || 1)) * plot.w;
  const sy = (v: number) => plot.y + plot.h - ((v - y0) / (y1 - y0 || 1)) * plot.h;
  const colour = (c: number) => (c >= 0 ? PALETTE[c % PALETTE.length] : '#999999');
  const dots = points
    .map(
      (p) =>
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2" fill="${colour(p.label)}" fill-opacity="0.7"/>`,
    )
    .join('');
  const legend = classNames
    .map(
      (n, i) =>
        `<rect x="580" y="${50 + i * 20}" width="12" height="12" fill="${colour(i)}"/><text x="598" y="${60 + i * 20}" font-size="12" font-family="DejaVu Sans, sans-serif">${escapeXml(n.length > 22 ? `${n.slice(0, 21)}…` : n)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/><text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-family="DejaVu Sans, sans-serif">${escapeXml(title)}</text>${dots}${legend}</svg>\n`;
}

export function register(program: Command): void {
  program
    .command('visualize')
    .description('2-D UMAP projection of hidden representations coloured by class (SVG, PNG when available).')
    .requiredOption('--checkpoint <path>', 'a .safetensors checkpoint written by gnnops train')
    .requiredOption('--out <dir>', 'output folder')
    .option('--max-points <n>', 'subsample to at most this many nodes', '4000')
    .option('--seed <s>', 'seed for the subsample and UMAP', '0')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--json', 'print JSON')
    .action(async (f: VisFlags) => {
      const maxPoints = intFlag('max-points', f.maxPoints, 10, 200000);
      const r = await restoreTask(f.checkpoint, { mirror: f.mirror });
      try {
        const { hidden, hiddenWidth } = r.task.predict();
        const n = r.data.numNodes;
        const rng = new Rng(Number(f.seed) || 0);
        const ids = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)).subarray(0, Math.min(n, maxPoints));
        ids.sort();
        const rows = Array.from(ids, (i) => Array.from(hidden.subarray(i * hiddenWidth, (i + 1) * hiddenWidth)));
        const umap = new UMAP({
          nComponents: 2,
          nNeighbors: Math.min(15, rows.length - 1),
          minDist: 0.1,
          random: () => rng.next(),
        });
        const xy = umap.fit(rows);
        const points = xy.map((p, k) => ({ x: p[0], y: p[1], label: r.data.labels[ids[k]] }));
        const names =
          r.ckpt.meta.classNames ??
          r.data.classNames ??
          Array.from({ length: r.data.numClasses }, (_, c) => `class ${c}`);
        const title = `${r.ckpt.meta.model.name} hidden layer (${hiddenWidth}-d) on ${r.data.name}${r.data.synthetic ? ' [synthetic]' : ''}: UMAP of ${points.length} nodes`;
        const svg = scatterSvg(points, names, title);
        const files: string[] = [join(f.out, 'embedding.svg'), join(f.out, 'embedding.json')];
        writeFileAtomic(files[0], svg);
        writeFileAtomic(files[1], `${JSON.stringify({ ids: Array.from(ids), points, classNames: names })}\n`);
        const png = svgToPng(svg);
        if (png) {
          files.push(join(f.out, 'embedding.png'));
          writeFileAtomic(files[2], png);
        }
        emit(
          f.json === true,
          { files, points: points.length, hidden_width: hiddenWidth },
          () => `wrote ${files.join(', ')}`,
        );
      } finally {
        r.dispose();
      }
    });
}

import { escapeXml } from '../charts/svg.js';
import { dimensionOf } from './space.js';
import type { JsonValue, ParamSpec } from './spec.js';

export interface ParallelTrial {
  index: number;
  params: Record<string, JsonValue>;
  value: number | null;
  /** Stopped early (Hyperband): its value is a partial one; drawn dashed. */
  status?: string;
}

export interface ParallelOptions {
  params: readonly ParamSpec[];
  trials: readonly ParallelTrial[];
  metric: string;
  goal: 'maximize' | 'minimize';
  title?: string;
  /** Pixels; default 960 × 460. */
  width?: number;
  height?: number;
}

/** Colour ramp from poor (light orange) to good (dark blue) by the metric's rank among the trials. */
function ramp(t: number): string {
  const a = [0xf2, 0x8e, 0x2b];
  const b = [0x1f, 0x3a, 0x93];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3)));

interface Axis {
  name: string;
  /** Maps a value to [0, 1] (0 = bottom). */
  pos(v: JsonValue): number | null;
  labels: Array<{ at: number; text: string }>;
}

function numericAxis(name: string, values: number[], log: boolean): Axis {
  const vs = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  const f = log ? Math.log10 : (x: number) => x;
  const lo = vs.length ? Math.min(...vs.map(f)) : 0;
  const hi = vs.length ? Math.max(...vs.map(f)) : 1;
  const span = hi - lo || 1;
  const back = (u: number) => (log ? 10 ** u : u);
  return {
    name,
    pos: (v) => (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? (f(v) - lo) / span : null),
    labels: [0, 0.5, 1].map((t) => ({ at: t, text: fmt(back(lo + t * span)) })),
  };
}

function categoricalAxis(name: string, values: JsonValue[]): Axis {
  const keys = values.map((v) => JSON.stringify(v));
  const n = keys.length;
  const at = (i: number) => (n === 1 ? 0.5 : i / (n - 1));
  return {
    name,
    pos: (v) => {
      const i = keys.indexOf(JSON.stringify(v));
      return i < 0 ? null : at(i);
    },
    labels: values.map((v, i) => ({ at: at(i), text: typeof v === 'string' ? v : JSON.stringify(v) })),
  };
}

/**
 * Parallel-coordinates chart of a sweep: one vertical axis per searched parameter (log scale for log
 * distributions, one tick per category for categorical ones) and a last axis for the metric; one line per trial,
 * coloured from poor (orange) to good (blue), the best drawn last and thicker; trials stopped early are dashed
 * (their value is partial). Failed trials are omitted.
 */
export function parallelCoordinates(o: ParallelOptions): string {
  const width = o.width ?? 960;
  const height = o.height ?? 460;
  const left = 70;
  const right = width - 70;
  const top = o.title ? 64 : 40;
  const bottom = height - 40;
  const trials = o.trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  const axes: Axis[] = [];
  for (const p of o.params) {
    const d = dimensionOf(p);
    if (d === null) continue;
    if (d.kind === 'categorical') axes.push(categoricalAxis(p.name, d.values));
    else {
      const log = /log/.test(p.distribution) && !p.distribution.startsWith('inv');
      axes.push(
        numericAxis(
          p.name,
          trials.map((t) => Number(t.params[p.name])),
          log,
        ),
      );
    }
  }
  axes.push(
    numericAxis(
      o.metric,
      trials.map((t) => t.value as number),
      false,
    ),
  );
  const xs = axes.map((_, i) =>
    axes.length === 1 ? (left + right) / 2 : left + (i * (right - left)) / (axes.length - 1),
  );
  const y = (u: number) => bottom - u * (bottom - top);
  const sorted = [...trials].sort((a, b) =>
    o.goal === 'maximize' ? (a.value as number) - (b.value as number) : (b.value as number) - (a.value as number),
  );
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (o.title) {
    out.push(
      `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(o.title)}</text>`,
    );
  }
  sorted.forEach((t, rank) => {
    const best = rank === sorted.length - 1;
    const pts: string[] = [];
    axes.forEach((a, i) => {
      const u = i === axes.length - 1 ? a.pos(t.value) : a.pos(t.params[a.name]);
      if (u !== null) pts.push(`${xs[i].toFixed(1)},${y(u).toFixed(1)}`);
    });
    const colour = ramp(sorted.length === 1 ? 1 : rank / (sorted.length - 1));
    out.push(
      `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="${best ? 3 : 1.2}" stroke-opacity="${best ? 1 : 0.7}"${t.status === 'stopped' ? ' stroke-dasharray="4 3"' : ''}><title>trial ${t.index}: ${escapeXml(o.metric)} ${fmt(t.value as number)}</title></polyline>`,
    );
  });
  axes.forEach((a, i) => {
    const x = xs[i].toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
    out.push(
      `<text x="${x}" y="${top - 12}" text-anchor="middle" font-size="12" font-weight="bold" fill="#222">${escapeXml(a.name)}</text>`,
    );
    for (const l of a.labels) {
      const py = y(l.at).toFixed(1);
      out.push(`<line x1="${x}" x2="${(xs[i] - 4).toFixed(1)}" y1="${py}" y2="${py}" stroke="#333"/>`);
      out.push(
        `<text x="${(xs[i] - 6).toFixed(1)}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#333">${escapeXml(l.text)}</text>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Dependency-free SVG charts: grouped bars, histograms and line charts. Every function is pure: options in,
 * a self-contained SVG document (string) out, with inline styles and no external fonts or scripts, so the file
 * opens the same in a browser, an editor preview or a PNG renderer.
 *
 * Layout: a fixed plot frame inside `width × height` (defaults 720 × 420), margins for the title, axis labels
 * and tick labels, and a legend to the right of the frame when there is more than one series.
 */

import { formatTick, linearTicks, logTicks, type Scale, type Tick } from './ticks.js';

/** Tableau-10 colours: distinguishable, colour-blind-friendly enough for up to ten series. */
export const PALETTE = Object.freeze([
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]);

export interface ChartFrame {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 720. */
  width?: number;
  /** Pixels; default 420. */
  height?: number;
}

export interface BarSeries {
  name: string;
  /** One value per category. */
  values: readonly number[];
  color?: string;
}

export interface BarChartOptions extends ChartFrame {
  categories: readonly string[];
  series: readonly BarSeries[];
  /** Log-scale y axis (bars start at the lowest decade; zero bars are not drawn). Default false. */
  logY?: boolean;
}

export interface HistogramOptions extends ChartFrame {
  /** Bin edges, ascending, length counts.length + 1. Bin i covers [edges[i], edges[i+1]). */
  edges: readonly number[];
  counts: readonly number[];
  /** Log-scale y axis. Default false. */
  logY?: boolean;
  /** Log-scale x axis (use with logarithmic bin edges, all > 0). Default false. */
  logX?: boolean;
  color?: string;
}

export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
}

export interface LineChartOptions extends ChartFrame {
  series: readonly LineSeries[];
  logY?: boolean;
  logX?: boolean;
  /** Draw a dot at each point. Default: true when a series has ≤ 50 points. */
  markers?: boolean;
}

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Escape text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

interface Layout {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function layout(frame: ChartFrame, legendNames: readonly string[]): Layout {
  const width = frame.width ?? 720;
  const height = frame.height ?? 420;
  const longest = legendNames.reduce((m, n) => Math.max(m, n.length), 0);
  const legendWidth = legendNames.length > 1 ? Math.min(220, 28 + longest * 7) : 0;
  return {
    width,
    height,
    left: 72,
    right: width - 20 - legendWidth,
    top: frame.title ? 40 : 16,
    bottom: height - (frame.xLabel ? 56 : 36),
  };
}

function makeScale(lo: number, hi: number, a: number, b: number, log: boolean): Scale {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    const span = l1 - l0 || 1;
    return (v: number) => a + ((Math.log10(Math.max(v, lo)) - l0) / span) * (b - a);
  }
  const span = hi - lo || 1;
  return (v: number) => a + ((v - lo) / span) * (b - a);
}

/** Domain and ticks for values; a log axis needs positive values and starts at the decade below the smallest. */
function axisTicks(
  values: readonly number[],
  log: boolean,
  includeZero: boolean,
): { lo: number; hi: number; ticks: Tick[] } {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const min = finite.length ? Math.min(...finite) : 1;
    const max = finite.length ? Math.max(...finite) : 10;
    const lo = 10 ** Math.floor(Math.log10(min));
    const hi = 10 ** Math.max(Math.ceil(Math.log10(max)), Math.log10(lo) + 1);
    return { lo, hi, ticks: logTicks(lo, hi) };
  }
  let min = finite.length ? Math.min(...finite) : 0;
  let max = finite.length ? Math.max(...finite) : 1;
  if (includeZero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  if (min === max) max = min + 1;
  const ticks = linearTicks(min, max, 6);
  return { lo: Math.min(min, ticks[0].value), hi: Math.max(max, ticks[ticks.length - 1].value), ticks };
}

function header(l: Layout, title: string | undefined): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" ${FONT} font-size="12">`,
    `<rect x="0" y="0" width="${l.width}" height="${l.height}" fill="#ffffff"/>`,
  ];
  if (title) {
    out.push(
      `<text x="${l.width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(title)}</text>`,
    );
  }
  return out;
}

function yAxis(l: Layout, ticks: readonly Tick[], y: Scale, label: string | undefined): string[] {
  const out: string[] = [];
  for (const t of ticks) {
    const py = num(y(t.value));
    out.push(
      `<line x1="${l.left}" x2="${l.right}" y1="${py}" y2="${py}" stroke="${t.minor ? '#f0f0f0' : '#e0e0e0'}"/>`,
    );
    if (!t.minor) {
      out.push(
        `<text x="${l.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#333">${escapeXml(t.label)}</text>`,
      );
    }
  }
  out.push(`<line x1="${l.left}" x2="${l.left}" y1="${l.top}" y2="${l.bottom}" stroke="#333"/>`);
  if (label) {
    const cy = (l.top + l.bottom) / 2;
    out.push(
      `<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})" font-size="13" fill="#222">${escapeXml(label)}</text>`,
    );
  }
  return out;
}

function xAxisLine(l: Layout, label: string | undefined): string[] {
  const out = [`<line x1="${l.left}" x2="${l.right}" y1="${l.bottom}" y2="${l.bottom}" stroke="#333"/>`];
  if (label) {
    out.push(
      `<text x="${(l.left + l.right) / 2}" y="${l.height - 12}" text-anchor="middle" font-size="13" fill="#222">${escapeXml(label)}</text>`,
    );
  }
  return out;
}

function numericXAxis(l: Layout, ticks: readonly Tick[], x: Scale): string[] {
  const out: string[] = [];
  for (const t of ticks) {
    const px = num(x(t.value));
    out.push(`<line x1="${px}" x2="${px}" y1="${l.bottom}" y2="${l.bottom + (t.minor ? 3 : 5)}" stroke="#333"/>`);
    if (!t.minor)
      out.push(`<text x="${px}" y="${l.bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(t.label)}</text>`);
  }
  return out;
}

function legend(l: Layout, items: readonly { name: string; color: string }[]): string[] {
  if (items.length < 2) return [];
  const x = l.right + 14;
  return items.flatMap((it, i) => {
    const y = l.top + 6 + i * 18;
    return [
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${it.color}"/>`,
      `<text x="${x + 18}" y="${y + 6}" dominant-baseline="middle" fill="#222">${escapeXml(it.name)}</text>`,
    ];
  });
}

function colorOf(i: number, explicit: string | undefined): string {
  return explicit ?? PALETTE[i % PALETTE.length];
}

/** Grouped bar chart: one group per category, one bar per series inside each group, values labelled on hover (title). */
export function barChart(o: BarChartOptions): string {
  for (const s of o.series) {
    if (s.values.length !== o.categories.length) {
      throw new RangeError(
        `barChart: series "${s.name}" has ${s.values.length} values for ${o.categories.length} categories`,
      );
    }
  }
  const l = layout(
    o,
    o.series.map((s) => s.name),
  );
  const n = Math.max(o.categories.length, 1);
  let groupW = (l.right - l.left) / n;
  // Rotate category labels when they would collide, and make room for them below the frame.
  const cats = o.categories.map((c) => (c.length > 28 ? `${c.slice(0, 27)}…` : c));
  const longest = cats.reduce((m, c) => Math.max(m, c.length), 0);
  const rotate = longest * 7 > groupW;
  if (rotate) {
    const run = longest * 6.5;
    l.bottom = l.height - (o.xLabel ? 28 : 8) - Math.ceil(14 + run * Math.sin((35 * Math.PI) / 180));
    // The first label runs left of its bar group: widen the left margin so it is not clipped.
    l.left = Math.max(l.left, Math.ceil(run * Math.cos((35 * Math.PI) / 180) - groupW / 2 + 8));
    groupW = (l.right - l.left) / n;
  }
  const logY = o.logY ?? false;
  const { lo, hi, ticks } = axisTicks(
    o.series.flatMap((s) => s.values),
    logY,
    true,
  );
  const y = makeScale(lo, hi, l.bottom, l.top, logY);
  const out = header(l, o.title);
  out.push(...yAxis(l, ticks, y, o.yLabel));
  const barW = (groupW * 0.8) / Math.max(o.series.length, 1);
  const base = logY ? l.bottom : y(Math.max(lo, 0));
  o.categories.forEach((cat, ci) => {
    const gx = l.left + ci * groupW + groupW * 0.1;
    o.series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v) || (logY && v <= 0)) return;
      const py = y(v);
      const top = Math.min(py, base);
      const h = Math.abs(base - py);
      out.push(
        `<rect x="${num(gx + si * barW)}" y="${num(top)}" width="${num(Math.max(barW - 1, 1))}" height="${num(h)}" fill="${colorOf(si, s.color)}"><title>${escapeXml(`${s.name} · ${cat}: ${formatTick(v)}`)}</title></rect>`,
      );
    });
    const cx = num(l.left + (ci + 0.5) * groupW);
    const ty = l.bottom + 14;
    out.push(
      rotate
        ? `<text x="${cx}" y="${ty}" text-anchor="end" transform="rotate(-35 ${cx} ${ty})" font-size="11" fill="#333">${escapeXml(cats[ci])}</text>`
        : `<text x="${cx}" y="${l.bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(cats[ci])}</text>`,
    );
  });
  out.push(...xAxisLine(l, o.xLabel));
  out.push(
    ...legend(
      l,
      o.series.map((s, i) => ({ name: s.name, color: colorOf(i, s.color) })),
    ),
  );
  out.push('</svg>');
  return out.join('\n');
}

/** Histogram of pre-binned counts. Empty bins are not drawn on a log y axis (log 0 is undefined). */
export function histogram(o: HistogramOptions): string {
  if (o.edges.length !== o.counts.length + 1) {
    throw new RangeError(`histogram: ${o.edges.length} edges for ${o.counts.length} bins (need bins + 1)`);
  }
  for (let i = 1; i < o.edges.length; i++) {
    if (!(o.edges[i] > o.edges[i - 1]))
      throw new RangeError(`histogram: edges must ascend (edges[${i}] = ${o.edges[i]})`);
  }
  const logX = o.logX ?? false;
  const logY = o.logY ?? false;
  if (logX && o.edges[0] <= 0) throw new RangeError(`histogram: log x needs positive edges (edges[0] = ${o.edges[0]})`);
  const l = layout(o, []);
  const xLo = o.edges[0];
  const xHi = o.edges[o.edges.length - 1];
  const x = makeScale(xLo, xHi, l.left, l.right, logX);
  const { lo, hi, ticks } = axisTicks(o.counts, logY, true);
  const y = makeScale(lo, hi, l.bottom, l.top, logY);
  const out = header(l, o.title);
  out.push(...yAxis(l, ticks, y, o.yLabel));
  const color = o.color ?? PALETTE[0];
  o.counts.forEach((c, i) => {
    if (!(c > 0) && logY) return;
    const x0 = x(o.edges[i]);
    const x1 = x(o.edges[i + 1]);
    const py = y(c);
    out.push(
      `<rect x="${num(x0)}" y="${num(py)}" width="${num(Math.max(x1 - x0 - 1, 0.5))}" height="${num(l.bottom - py)}" fill="${color}"><title>${escapeXml(`[${formatTick(o.edges[i])}, ${formatTick(o.edges[i + 1])}): ${formatTick(c)}`)}</title></rect>`,
    );
  });
  const xt = logX ? logTicks(xLo, xHi) : linearTicks(xLo, xHi, 8);
  out.push(
    ...numericXAxis(
      l,
      xt.filter((t) => t.value >= xLo && t.value <= xHi),
      x,
    ),
  );
  out.push(...xAxisLine(l, o.xLabel));
  out.push('</svg>');
  return out.join('\n');
}

/** Line chart of several named series over a numeric x. Points with a non-finite (or, on a log axis, ≤ 0) value break the line. */
export function lineChart(o: LineChartOptions): string {
  for (const s of o.series) {
    if (s.x.length !== s.y.length)
      throw new RangeError(`lineChart: series "${s.name}" has ${s.x.length} x and ${s.y.length} y`);
  }
  const logX = o.logX ?? false;
  const logY = o.logY ?? false;
  const l = layout(
    o,
    o.series.map((s) => s.name),
  );
  const xs = axisTicks(
    o.series.flatMap((s) => s.x),
    logX,
    false,
  );
  const ys = axisTicks(
    o.series.flatMap((s) => s.y),
    logY,
    false,
  );
  const x = makeScale(xs.lo, xs.hi, l.left, l.right, logX);
  const y = makeScale(ys.lo, ys.hi, l.bottom, l.top, logY);
  const out = header(l, o.title);
  out.push(...yAxis(l, ys.ticks, y, o.yLabel));
  out.push(...numericXAxis(l, xs.ticks, x));
  out.push(...xAxisLine(l, o.xLabel));
  o.series.forEach((s, si) => {
    const color = colorOf(si, s.color);
    const ok = (i: number) =>
      Number.isFinite(s.x[i]) && Number.isFinite(s.y[i]) && (!logX || s.x[i] > 0) && (!logY || s.y[i] > 0);
    let d = '';
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      if (!ok(i)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${num(x(s.x[i]))} ${num(y(s.y[i]))}`;
      pen = true;
    }
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (o.markers ?? s.x.length <= 50) {
      for (let i = 0; i < s.x.length; i++) {
        if (!ok(i)) continue;
        out.push(
          `<circle cx="${num(x(s.x[i]))}" cy="${num(y(s.y[i]))}" r="2.5" fill="${color}"><title>${escapeXml(`${s.name}: (${formatTick(s.x[i])}, ${formatTick(s.y[i])})`)}</title></circle>`,
        );
      }
    }
  });
  out.push(
    ...legend(
      l,
      o.series.map((s, i) => ({ name: s.name, color: colorOf(i, s.color) })),
    ),
  );
  out.push('</svg>');
  return out.join('\n');
}

import { useEffect, useRef } from 'preact/hooks';

export interface Series {
  name: string;
  points: { x: number; y: number | null }[];
  color: string;
  dashed?: boolean;
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3)));

/** Line chart (SVG) of several series over a shared x axis; null values break the line. */
export function LineChart({
  series,
  xLabel,
  yLabel,
  height = 220,
  hline,
}: {
  series: Series[];
  xLabel?: string;
  yLabel?: string;
  height?: number;
  hline?: { y: number; label: string };
}) {
  const W = 560;
  const H = height;
  const m = { l: 52, r: 12, t: 10, b: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  if (hline) ys.push(hline.y);
  if (xs.length === 0 || ys.length === 0) return <p class="muted">No data points.</p>;
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const path = (s: Series) => {
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${yLabel ?? 'value'} by ${xLabel ?? 'x'}`}>
        {ticks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line x1={m.l} x2={W - m.r} y1={sy(t)} y2={sy(t)} class="grid" />
            <text x={m.l - 6} y={sy(t) + 4} text-anchor="end" class="tick">
              {fmt(t)}
            </text>
          </g>
        ))}
        {ticks(x0, x1, 6).map((t) => (
          <text key={`x${t}`} x={sx(t)} y={H - m.b + 16} text-anchor="middle" class="tick">
            {fmt(t)}
          </text>
        ))}
        <line x1={m.l} x2={W - m.r} y1={H - m.b} y2={H - m.b} class="axis" />
        <line x1={m.l} x2={m.l} y1={m.t} y2={H - m.b} class="axis" />
        {hline && (
          <g>
            <line x1={m.l} x2={W - m.r} y1={sy(hline.y)} y2={sy(hline.y)} class="threshold" />
            <text x={W - m.r - 4} y={sy(hline.y) - 4} text-anchor="end" class="tick">
              {hline.label}
            </text>
          </g>
        )}
        {series.map((s) => (
          <path
            key={s.name}
            d={path(s)}
            fill="none"
            stroke={s.color}
            stroke-width={2}
            stroke-dasharray={s.dashed ? '5 4' : undefined}
          />
        ))}
        {series.map((s) =>
          s.points.length === 1 && s.points[0].y !== null ? (
            <circle key={`${s.name}-pt`} cx={sx(s.points[0].x)} cy={sy(s.points[0].y)} r={3} fill={s.color} />
          ) : null,
        )}
        {xLabel && (
          <text x={(W + m.l) / 2} y={H - 4} text-anchor="middle" class="label">
            {xLabel}
          </text>
        )}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} class={s.dashed ? 'dashed' : ''} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
  /** A second value drawn beside the first (e.g. current vs reference). */
  value2?: number;
}

/** Vertical bar chart (SVG); with value2, paired bars. */
export function BarChart({ bars, height = 200, legend }: { bars: Bar[]; height?: number; legend?: [string, string] }) {
  const W = 560;
  const H = height;
  const m = { l: 64, r: 8, t: 8, b: 64 };
  const max = Math.max(1e-12, ...bars.map((b) => Math.max(b.value, b.value2 ?? 0)));
  const bw = (W - m.l - m.r) / Math.max(1, bars.length);
  const sy = (v: number) => H - m.b - (v / max) * (H - m.t - m.b);
  const paired = bars.some((b) => b.value2 !== undefined);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="bar chart">
        {ticks(0, max, 4).map((t) => (
          <g key={t}>
            <line x1={m.l} x2={W - m.r} y1={sy(t)} y2={sy(t)} class="grid" />
            <text x={m.l - 6} y={sy(t) + 4} text-anchor="end" class="tick">
              {fmt(t)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = m.l + i * bw;
          const w = paired ? bw * 0.4 : bw * 0.8;
          return (
            <g key={`${b.label}-${i}`}>
              <rect
                x={x + bw * 0.1}
                y={sy(b.value)}
                width={w}
                height={H - m.b - sy(b.value)}
                fill={b.color ?? '#4e79a7'}
              >
                <title>{`${b.label}: ${fmt(b.value)}`}</title>
              </rect>
              {b.value2 !== undefined && (
                <rect x={x + bw * 0.5} y={sy(b.value2)} width={w} height={H - m.b - sy(b.value2)} fill="#f28e2b">
                  <title>{`${b.label}: ${fmt(b.value2)}`}</title>
                </rect>
              )}
              {bars.length <= 24 && (
                <text
                  x={x + bw / 2}
                  y={H - m.b + 12}
                  text-anchor="end"
                  class="tick"
                  transform={`rotate(-30 ${x + bw / 2} ${H - m.b + 12})`}
                >
                  {b.label.length > 13 ? `${b.label.slice(0, 12)}…` : b.label}
                </text>
              )}
            </g>
          );
        })}
        <line x1={m.l} x2={W - m.r} y1={H - m.b} y2={H - m.b} class="axis" />
      </svg>
      {legend && (
        <figcaption class="legend">
          <span>
            <i style={{ background: '#4e79a7' }} /> {legend[0]}
          </span>
          <span>
            <i style={{ background: '#f28e2b' }} /> {legend[1]}
          </span>
        </figcaption>
      )}
    </figure>
  );
}

/** Scatter plot on a canvas (thousands of points), one colour per point. */
export function Scatter({
  points,
  height = 420,
}: {
  points: { x: number; y: number; color: string; title?: string }[];
  height?: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth || 560;
    c.width = W * dpr;
    c.height = height * dpr;
    const g = c.getContext('2d');
    if (!g || points.length === 0) return;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, W, height);
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const sx = (x: number) => 10 + ((x - x0) / (x1 - x0 || 1)) * (W - 20);
    const sy = (y: number) => height - 10 - ((y - y0) / (y1 - y0 || 1)) * (height - 20);
    g.globalAlpha = 0.75;
    for (const p of points) {
      g.fillStyle = p.color;
      g.beginPath();
      g.arc(sx(p.x), sy(p.y), 2.5, 0, Math.PI * 2);
      g.fill();
    }
  }, [points, height]);
  return <canvas ref={ref} class="scatter" style={{ width: '100%', height: `${height}px` }} />;
}

/** Axis ticks: "nice" linear steps (1, 2, 2.5, 5 × 10^k) and decade ticks for log axes. */

export type Scale = (v: number) => number;

export interface Tick {
  value: number;
  label: string;
  /** Minor ticks get a faint grid line and no label. */
  minor?: boolean;
}

/** Short, readable number: 1200 → "1.2k", 3e6 → "3M", 0.125 → "0.125", 1e-5 → "1e-5". */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (a >= 1e9) return `${trim((v / 1e9).toFixed(2))}G`;
  if (a >= 1e6) return `${trim((v / 1e6).toFixed(2))}M`;
  if (a >= 1e4) return `${trim((v / 1e3).toFixed(1))}k`;
  if (a >= 1) return trim(v.toFixed(2));
  if (a >= 1e-3) return trim(v.toPrecision(3));
  const [m, e] = v.toExponential(1).split('e');
  return `${trim(m)}e${Number(e)}`;
}

/** About `target` evenly spaced ticks covering [min, max], on a nice step; first ≤ min, last ≥ max. */
export function linearTicks(min: number, max: number, target = 6): Tick[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / Math.max(target, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: Tick[] = [];
  for (let i = 0; i < 1000; i++) {
    const v = start + i * step;
    const value = Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12));
    ticks.push({ value, label: formatTick(value) });
    if (value >= max - step * 1e-9 && ticks.length >= 2) break;
  }
  return ticks;
}

/** Decade ticks 10^k over [lo, hi] (both powers of 10); minor ticks at 2..9 × 10^k when there are few decades. */
export function logTicks(lo: number, hi: number): Tick[] {
  const k0 = Math.floor(Math.log10(lo) + 1e-9);
  const k1 = Math.ceil(Math.log10(hi) - 1e-9);
  const ticks: Tick[] = [];
  const minors = k1 - k0 <= 4;
  for (let k = k0; k <= k1; k++) {
    const d = 10 ** k;
    ticks.push({ value: d, label: formatTick(d) });
    if (minors && k < k1)
      for (let m = 2; m <= 9; m++) ticks.push({ value: m * d, label: formatTick(m * d), minor: true });
  }
  return ticks;
}

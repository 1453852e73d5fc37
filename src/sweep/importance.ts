import { dimensionOf } from './space.js';
import type { JsonValue, ParamSpec } from './spec.js';

/** One parameter's association with the sweep metric over the trials that have a value. */
export interface Importance {
  param: string;
  /** 'spearman' for numeric parameters (signed ρ in [-1, 1]), 'eta' for categorical ones (η in [0, 1]). */
  kind: 'spearman' | 'eta';
  value: number;
  /** Trials used. */
  n: number;
}

function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1; // ties share their mean rank
    for (let k = i; k <= j; k++) r[order[k][1]] = avg;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ: Pearson correlation of the ranks (average ranks for ties). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/** Correlation ratio η = sqrt(between-group sum of squares / total sum of squares) of y grouped by category. */
export function correlationRatio(groups: readonly string[], y: readonly number[]): number {
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const by = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = by.get(g);
    if (list) list.push(y[i]);
    else by.set(g, [y[i]]);
  });
  let between = 0;
  for (const vals of by.values()) {
    const m = vals.reduce((s, v) => s + v, 0) / vals.length;
    between += vals.length * (m - mean) ** 2;
  }
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return total === 0 ? 0 : Math.sqrt(between / total);
}

/**
 * Parameter importance as association with the metric: Spearman's ρ for numeric parameters (rank-based, so a
 * log-scaled learning rate needs no transform) and the correlation ratio η for categorical ones. A screening
 * statistic, not a causal one: with few trials or correlated samples (bayes concentrates) read it with care.
 */
export function parameterImportance(
  params: readonly ParamSpec[],
  trials: readonly { params: Record<string, JsonValue>; value: number | null }[],
): Importance[] {
  const done = trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  const y = done.map((t) => t.value as number);
  const out: Importance[] = [];
  for (const p of params) {
    const d = dimensionOf(p);
    if (d === null || done.length < 3) continue;
    if (d.kind === 'categorical') {
      out.push({
        param: p.name,
        kind: 'eta',
        value: correlationRatio(
          done.map((t) => JSON.stringify(t.params[p.name])),
          y,
        ),
        n: done.length,
      });
    } else {
      const xs = done.map((t) => Number(t.params[p.name]));
      out.push({ param: p.name, kind: 'spearman', value: spearman(xs, y), n: done.length });
    }
  }
  return out.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

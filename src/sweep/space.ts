import type { Rng } from './rng.js';
import type { JsonValue, ParamSpec } from './spec.js';

/**
 * The search space as the samplers see it: each non-constant parameter is a dimension in an "internal" space
 * where its prior is uniform or normal — ln x for the log distributions, ln(1/x) for the inverse-log ones,
 * x itself otherwise. `fromInternal` maps back (exp, rounding, quantising). TPE fits its Parzen estimators here.
 */
export type Dimension =
  | { kind: 'categorical'; name: string; values: JsonValue[]; prior: number[] }
  | {
      kind: 'numeric';
      name: string;
      /** Internal bounds (±Infinity for the normal families). */
      lo: number;
      hi: number;
      /** Prior in internal space: uniform on [lo, hi], or normal(mu, sigma). */
      prior: { type: 'uniform' } | { type: 'normal'; mu: number; sigma: number };
      toInternal(x: number): number;
      fromInternal(u: number): number;
    };

/** Number of decimals in q (0.05 → 2) so quantised values print cleanly (0.30000000000000004 → 0.3). */
function decimals(q: number): number {
  const s = String(q);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

export function quantise(x: number, q: number): number {
  return Number((Math.round(x / q) * q).toFixed(decimals(q)));
}

const id = (x: number) => x;

export function dimensionOf(p: ParamSpec): Dimension | null {
  const name = p.name;
  switch (p.distribution) {
    case 'constant':
      return null;
    case 'categorical': {
      const k = p.values.length;
      return { kind: 'categorical', name, values: p.values, prior: p.probabilities ?? p.values.map(() => 1 / k) };
    }
    case 'int_uniform':
      return {
        kind: 'numeric',
        name,
        lo: p.min - 0.5,
        hi: p.max + 0.5,
        prior: { type: 'uniform' },
        toInternal: id,
        fromInternal: (u) => Math.min(p.max, Math.max(p.min, Math.round(u))),
      };
    case 'uniform':
    case 'q_uniform': {
      const q = p.distribution === 'q_uniform' ? p.q : 0;
      return {
        kind: 'numeric',
        name,
        lo: p.min,
        hi: p.max,
        prior: { type: 'uniform' },
        toInternal: id,
        fromInternal: (u) => (q > 0 ? quantise(u, q) : u),
      };
    }
    case 'log_uniform':
    case 'q_log_uniform':
    case 'log_uniform_values':
    case 'q_log_uniform_values': {
      const values = p.distribution.endsWith('_values');
      const q = p.distribution.startsWith('q_') ? p.q : 0;
      return {
        kind: 'numeric',
        name,
        lo: values ? Math.log(p.min) : p.min,
        hi: values ? Math.log(p.max) : p.max,
        prior: { type: 'uniform' },
        toInternal: (x) => Math.log(x),
        fromInternal: (u) => (q > 0 ? quantise(Math.exp(u), q) : Math.exp(u)),
      };
    }
    case 'inv_log_uniform':
    case 'inv_log_uniform_values': {
      const values = p.distribution === 'inv_log_uniform_values';
      return {
        kind: 'numeric',
        name,
        lo: values ? Math.log(1 / p.max) : p.min,
        hi: values ? Math.log(1 / p.min) : p.max,
        prior: { type: 'uniform' },
        toInternal: (x) => Math.log(1 / x),
        fromInternal: (u) => Math.exp(-u),
      };
    }
    case 'normal':
    case 'q_normal':
    case 'log_normal':
    case 'q_log_normal': {
      const log = p.distribution.includes('log');
      const q = p.distribution.startsWith('q_') ? p.q : 0;
      const back = log ? Math.exp : id;
      return {
        kind: 'numeric',
        name,
        lo: Number.NEGATIVE_INFINITY,
        hi: Number.POSITIVE_INFINITY,
        prior: { type: 'normal', mu: p.mu, sigma: p.sigma },
        toInternal: log ? (x) => Math.log(x) : id,
        fromInternal: (u) => (q > 0 ? quantise(back(u), q) : back(u)),
      };
    }
  }
}

/** Draw an index from unnormalised weights. */
export function drawIndex(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** Sample one dimension from its prior (W&B's random search). */
export function samplePrior(d: Dimension, rng: Rng): JsonValue {
  if (d.kind === 'categorical') return d.values[drawIndex(d.prior, rng)];
  const u = d.prior.type === 'uniform' ? d.lo + rng.next() * (d.hi - d.lo) : d.prior.mu + d.prior.sigma * rng.normal();
  return d.fromInternal(u);
}

export type ParamSet = Record<string, JsonValue>;

export function constantsOf(params: readonly ParamSpec[]): ParamSet {
  const out: ParamSet = {};
  for (const p of params) if (p.distribution === 'constant') out[p.name] = p.value;
  return out;
}

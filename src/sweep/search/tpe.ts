import { makeRng, mixSeed, type Rng } from '../rng.js';
import { type Dimension, dimensionOf, drawIndex, type ParamSet, samplePrior } from '../space.js';
import type { JsonValue, ParamSpec } from '../spec.js';
import type { Observation, Searcher } from './types.js';

/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011).
 *
 * After `startup` random trials, sort the observations by loss and split them at the γ quantile:
 * the best ⌈γ·n⌉ form the "good" set, the rest (plus failed trials) the "bad" set. Per parameter, fit a density to
 * each set — l(x) on good, g(x) on bad — and draw `candidates` points from l; pick the one maximising
 * l(x)/g(x), which is the point of maximum expected improvement under the TPE model (§4.1 of the paper).
 *
 * Densities (as in the paper and hyperopt's adaptive Parzen estimator):
 * - numeric: a mixture of Gaussians in the internal space (ln x for log distributions), one at each observation
 *   plus one prior component (centre of the range, σ = range width, or the normal prior's μ, σ); each observation's
 *   σ is the larger gap to its sorted neighbours, clipped to [σ_prior / min(100, 1 + n), σ_prior]; each
 *   component is truncated to the bounds. Equal weights.
 * - categorical: counts plus a prior pseudo-count of K·p_k (1 each for uniform priors), normalised.
 * Parameters are modelled independently, as in the paper.
 */
export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  startup?: number;
  /** Quantile that defines "good". Default 0.25. */
  gamma?: number;
  /** Candidates drawn from l(x) per suggestion. Default 24 (hyperopt's default). */
  candidates?: number;
}

const SQRT2 = Math.SQRT2;

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for mixture normalisers. */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function phi(z: number): number {
  return 0.5 * (1 + erf(z / SQRT2));
}

interface Mixture {
  mus: number[];
  sigmas: number[];
  /** Probability mass of each component inside [lo, hi]. */
  mass: number[];
  lo: number;
  hi: number;
}

function fitParzen(xs: readonly number[], d: Extract<Dimension, { kind: 'numeric' }>): Mixture {
  const priorMu = d.prior.type === 'normal' ? d.prior.mu : (d.lo + d.hi) / 2;
  const priorSigma = d.prior.type === 'normal' ? d.prior.sigma : d.hi - d.lo;
  const pts = [...xs.map((x) => ({ x, prior: false })), { x: priorMu, prior: true }].sort((a, b) => a.x - b.x);
  const minSigma = priorSigma / Math.min(100, 1 + xs.length);
  const mus: number[] = [];
  const sigmas: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    mus.push(pts[i].x);
    if (pts[i].prior) {
      sigmas.push(priorSigma);
      continue;
    }
    const left = i > 0 ? pts[i].x - pts[i - 1].x : 0;
    const right = i < pts.length - 1 ? pts[i + 1].x - pts[i].x : 0;
    sigmas.push(Math.min(priorSigma, Math.max(minSigma, left, right)));
  }
  const mass = mus.map((m, i) => {
    const s = sigmas[i];
    return Math.max(1e-12, phi((d.hi - m) / s) - phi((d.lo - m) / s));
  });
  return { mus, sigmas, mass, lo: d.lo, hi: d.hi };
}

function logPdf(m: Mixture, x: number): number {
  let p = 0;
  for (let i = 0; i < m.mus.length; i++) {
    const z = (x - m.mus[i]) / m.sigmas[i];
    p += Math.exp(-0.5 * z * z) / (m.sigmas[i] * Math.sqrt(2 * Math.PI) * m.mass[i]);
  }
  return Math.log(p / m.mus.length + 1e-300);
}

function sampleMixture(m: Mixture, rng: Rng): number {
  const i = Math.floor(rng.next() * m.mus.length);
  for (let tries = 0; tries < 32; tries++) {
    const x = m.mus[i] + m.sigmas[i] * rng.normal();
    if (x >= m.lo && x <= m.hi) return x;
  }
  return Math.min(m.hi, Math.max(m.lo, m.mus[i]));
}

function categoricalWeights(indices: readonly number[], d: Extract<Dimension, { kind: 'categorical' }>): number[] {
  const k = d.values.length;
  const w = d.prior.map((p) => p * k);
  for (const i of indices) w[i] += 1;
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

const key = (v: JsonValue) => JSON.stringify(v);

export function tpeSearcher(params: readonly ParamSpec[], seed: number, opts: TpeOptions = {}): Searcher {
  const startup = opts.startup ?? 10;
  const gamma = opts.gamma ?? 0.25;
  const nCand = opts.candidates ?? 24;
  const dims = params.map((p) => ({ p, d: dimensionOf(p) }));
  return {
    size: Number.POSITIVE_INFINITY,
    suggest(index, history) {
      const rng = makeRng(mixSeed(seed, index));
      const ok = history.filter((o) => o.loss !== null && Number.isFinite(o.loss));
      const out: ParamSet = {};
      if (ok.length < Math.max(2, startup)) {
        for (const { p, d } of dims) out[p.name] = d === null ? (p as { value: JsonValue }).value : samplePrior(d, rng);
        return out;
      }
      const sorted = [...ok].sort((a, b) => (a.loss as number) - (b.loss as number));
      const nGood = Math.max(1, Math.ceil(gamma * sorted.length));
      const good = sorted.slice(0, nGood);
      const bad = [...sorted.slice(nGood), ...history.filter((o) => o.loss === null || !Number.isFinite(o.loss))];
      for (const { p, d } of dims) {
        if (d === null) out[p.name] = (p as { value: JsonValue }).value;
      }
      // Per dimension: fit l and g, then draw candidates; the joint score is the sum of per-dimension log ratios.
      const cands: ParamSet[] = Array.from({ length: nCand }, () => ({}));
      const score = new Float64Array(nCand);
      for (const { d } of dims) {
        if (d === null) continue;
        if (d.kind === 'categorical') {
          const idx = (obs: readonly Observation[]) => {
            const map = new Map(d.values.map((v, i) => [key(v), i]));
            return obs.map((o) => map.get(key(o.params[d.name]))).filter((i): i is number => i !== undefined);
          };
          const l = categoricalWeights(idx(good), d);
          const g = categoricalWeights(idx(bad), d);
          for (let c = 0; c < nCand; c++) {
            const i = drawIndex(l, rng);
            cands[c][d.name] = d.values[i];
            score[c] += Math.log(l[i]) - Math.log(g[i]);
          }
          continue;
        }
        const xs = (obs: readonly Observation[]) =>
          obs
            .map((o) => o.params[d.name])
            .filter((v): v is number => typeof v === 'number')
            .map((v) => d.toInternal(v))
            .filter((v) => Number.isFinite(v));
        const l = fitParzen(xs(good), d);
        const g = fitParzen(xs(bad), d);
        for (let c = 0; c < nCand; c++) {
          const u = sampleMixture(l, rng);
          cands[c][d.name] = d.fromInternal(u);
          score[c] += logPdf(l, u) - logPdf(g, u);
        }
      }
      let best = 0;
      for (let c = 1; c < nCand; c++) if (score[c] > score[best]) best = c;
      for (const { p } of dims) if (!(p.name in out)) out[p.name] = cands[best][p.name];
      // Keep file order.
      const ordered: ParamSet = {};
      for (const { p } of dims) ordered[p.name] = out[p.name];
      return ordered;
    },
  };
}

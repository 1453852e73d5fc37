/**
 * NAdam (Dozat, 2016) as torch.optim.NAdam, with momentum decay ψ:
 *   g ← ∇ + λθ (or θ ← θ(1 − γλ) with decoupledWeightDecay);
 *   μₜ = β₁(1 − ½·0.96^{tψ}),  μₜ₊₁ = β₁(1 − ½·0.96^{(t+1)ψ}),  Πₜ = Π_{i≤t} μᵢ;
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  denom = √(v / (1 − β₂ᵗ)) + ε;
 *   θ ← θ − γ(1 − μₜ)/(1 − Πₜ) · g/denom − γμₜ₊₁/(1 − Πₜμₜ₊₁) · m/denom.
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, momentumDecay 4e-3.
 * Πₜμₜ₊₁ is the documented product (torch ≥ 2.0); torch 1.13 multiplied in μₜ once more (pytorch/pytorch#92699).
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { checkNonNeg, checkUnit, Optimizer } from './optimizer.js';

export interface NadamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

export class NAdam extends Optimizer {
  readonly kind = 'nadam' as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
  readonly decoupledWeightDecay: boolean;
  readonly maximize: boolean;

  constructor(params: readonly Tensor[], opts: NadamOptions = {}) {
    super(params, opts.lr ?? 2e-3, ['expAvg', 'expAvgSq'], ['muProduct']);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.momentumDecay = opts.momentumDecay ?? 4e-3;
    this.decoupledWeightDecay = opts.decoupledWeightDecay ?? false;
    this.maximize = opts.maximize ?? false;
    checkUnit('betas[0]', this.beta1);
    checkUnit('betas[1]', this.beta2);
    checkNonNeg('eps', this.eps);
    checkNonNeg('weightDecay', this.weightDecay);
    checkNonNeg('momentumDecay', this.momentumDecay);
    this.scalars.muProduct.fill(1);
  }

  options(): Record<string, number | boolean> {
    const { beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize } = this;
    return { lr: this.lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize };
  }

  protected update(i: number, p: FArray, g: FArray, t: number): void {
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, momentumDecay: psi } = this;
    const sign = this.maximize ? -1 : 1;
    const m = this.buffer('expAvg', i);
    const v = this.buffer('expAvgSq', i);
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    const prod = this.scalars.muProduct[i] * mu;
    this.scalars.muProduct[i] = prod;
    const bc2 = 1 - b2 ** t;
    const cg = (lr * (1 - mu)) / (1 - prod);
    const cm = (lr * muNext) / (1 - prod * muNext);
    const coupled = !this.decoupledWeightDecay && wd !== 0;
    const shrink = this.decoupledWeightDecay ? 1 - lr * wd : 1;
    for (let k = 0; k < p.length; k++) {
      let d = sign * g[k];
      if (coupled) d += wd * p[k];
      else if (shrink !== 1) p[k] *= shrink;
      m[k] = b1 * m[k] + (1 - b1) * d;
      v[k] = b2 * v[k] + (1 - b2) * d * d;
      const denom = Math.sqrt(v[k] / bc2) + eps;
      p[k] -= (cg * d) / denom + (cm * m[k]) / denom;
    }
  }
}

/**
 * NAdam (Dozat, 2016) as torch.optim.NAdam, with momentum decay ψ:
 *   g ← ∇ + λθ (or θ ← θ(1 − γλ) with decoupledWeightDecay);
 *   μₜ = β₁(1 − ½·0.96^{tψ}),  μₜ₊₁ = β₁(1 − ½·0.96^{(t+1)ψ}),  Πₜ = Π_{i≤t} μᵢ;
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  denom = √(v / (1 − β₂ᵗ)) + ε;
 *   θ ← θ − γ(1 − μₜ)/(1 − Πₜ) · g/denom − γμₜ₊₁/(1 − Πₜμₜ₊₁) · m/denom.
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, momentumDecay 4e-3.
 * The loop is MomentOptimizer's (moments.ts); NAdam's step weights the gradient by a and the momentum by b below.
 * Πₜμₜ₊₁ is the documented product (torch ≥ 2.0); torch 1.13 multiplied in μₜ once more (pytorch/pytorch#92699).
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { MomentOptimizer, type MomentOptions } from './moments.js';
import { checkNonNeg } from './optimizer.js';

export interface NadamOptions extends MomentOptions {
  momentumDecay?: number;
}

export class NAdam extends MomentOptimizer {
  readonly kind = 'nadam' as const;
  readonly momentumDecay: number;

  constructor(params: readonly Tensor[], opts: NadamOptions = {}) {
    super(params, opts, { lr: 2e-3 }, [], ['muProduct']);
    this.momentumDecay = opts.momentumDecay ?? 4e-3;
    checkNonNeg('momentumDecay', this.momentumDecay);
    this.scalars.muProduct.fill(1);
  }

  override options(): Record<string, number | boolean> {
    return { ...super.options(), momentumDecay: this.momentumDecay };
  }

  protected update(i: number, p: FArray, g: FArray, t: number): void {
    const { lr, beta1: b1, momentumDecay: psi } = this;
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    const prod = this.scalars.muProduct[i] * mu;
    this.scalars.muProduct[i] = prod;
    // a = γ(1 − μₜ)/(1 − Πₜ), b = γμₜ₊₁/(1 − Πₜμₜ₊₁)
    this.momentStep(i, p, g, t, (lr * (1 - mu)) / (1 - prod), (lr * muNext) / (1 - prod * muNext), null);
  }
}

/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), as torch.optim.Adam / AdamW:
 *   Adam:  g ← ∇ + λθ (coupled decay);   AdamW: θ ← θ(1 − γλ) first (decoupled), g ← ∇.
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  (amsgrad: v̂max ← max(v̂max, v), used in place of v)
 *   θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)        (torch's arrangement of the bias corrections)
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0 (Adam) / 0.01 (AdamW), amsgrad false.
 * The loop is MomentOptimizer's (moments.ts); Adam's step puts all its weight on the momentum.
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { type MomentDefaults, MomentOptimizer, type MomentOptions } from './moments.js';

export interface AdamOptions extends MomentOptions {
  amsgrad?: boolean;
}

export class Adam extends MomentOptimizer {
  readonly kind: 'adam' | 'adamw' = 'adam';
  readonly amsgrad: boolean;

  constructor(params: readonly Tensor[], opts: AdamOptions = {}, defaults: MomentDefaults = { lr: 1e-3 }) {
    super(params, opts, defaults, ['maxExpAvgSq']);
    this.amsgrad = opts.amsgrad ?? false;
  }

  override options(): Record<string, number | boolean> {
    return { ...super.options(), amsgrad: this.amsgrad };
  }

  protected update(i: number, p: FArray, g: FArray, t: number): void {
    const vmax = this.amsgrad ? this.buffer('maxExpAvgSq', i) : null;
    this.momentStep(i, p, g, t, 0, this.lr / (1 - this.beta1 ** t), vmax);
  }
}

/** Adam with decoupled weight decay, 0.01 by default (torch.optim.AdamW). */
export class AdamW extends Adam {
  override readonly kind = 'adamw' as const;

  constructor(params: readonly Tensor[], opts: AdamOptions = {}) {
    super(params, { ...opts, decoupledWeightDecay: true }, { lr: 1e-3, weightDecay: 0.01 });
  }
}

/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), as torch.optim.Adam / AdamW:
 *   Adam:  g ← ∇ + λθ (coupled decay);   AdamW: θ ← θ(1 − γλ) first (decoupled), g ← ∇.
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  (amsgrad: v̂max ← max(v̂max, v), used in place of v)
 *   θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)        (torch's arrangement of the bias corrections)
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0 (Adam) / 0.01 (AdamW), amsgrad false.
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { checkNonNeg, checkUnit, Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

export class Adam extends Optimizer {
  readonly kind: 'adam' | 'adamw' = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  protected decoupled = false;

  constructor(params: readonly Tensor[], opts: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, opts.lr ?? 1e-3, ['expAvg', 'expAvgSq', 'maxExpAvgSq']);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? defaultWeightDecay;
    this.amsgrad = opts.amsgrad ?? false;
    this.maximize = opts.maximize ?? false;
    checkUnit('betas[0]', this.beta1);
    checkUnit('betas[1]', this.beta2);
    checkNonNeg('eps', this.eps);
    checkNonNeg('weightDecay', this.weightDecay);
  }

  options(): Record<string, number | boolean> {
    const { beta1, beta2, eps, weightDecay, amsgrad, maximize } = this;
    return { lr: this.lr, beta1, beta2, eps, weightDecay, amsgrad, maximize };
  }

  protected update(i: number, p: FArray, g: FArray, t: number): void {
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const sign = this.maximize ? -1 : 1;
    const m = this.buffer('expAvg', i);
    const v = this.buffer('expAvgSq', i);
    const vmax = this.amsgrad ? this.buffer('maxExpAvgSq', i) : null;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const coupled = !this.decoupled && wd !== 0;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    for (let k = 0; k < p.length; k++) {
      let d = sign * g[k];
      if (coupled) d += wd * p[k];
      else if (shrink !== 1) p[k] *= shrink;
      m[k] = b1 * m[k] + (1 - b1) * d;
      v[k] = b2 * v[k] + (1 - b2) * d * d;
      let vk = v[k];
      if (vmax) {
        if (vk > vmax[k]) vmax[k] = vk;
        vk = vmax[k];
      }
      p[k] -= (stepSize * m[k]) / (Math.sqrt(vk) / bc2Sqrt + eps);
    }
  }
}

export class AdamW extends Adam {
  override readonly kind = 'adamw' as const;

  constructor(params: readonly Tensor[], opts: AdamOptions = {}) {
    super(params, opts, 0.01);
    this.decoupled = true;
  }
}

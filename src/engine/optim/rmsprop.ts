/**
 * RMSprop as torch.optim.RMSprop (square root before ε):
 *   g ← ∇ + λθ;  v ← αv + (1 − α)g²;  centered: ḡ ← αḡ + (1 − α)g, ṽ = v − ḡ², else ṽ = v;
 *   momentum μ > 0: b ← μb + g/(√ṽ + ε), θ ← θ − γb;   else θ ← θ − γ g/(√ṽ + ε).
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { checkNonNeg, Optimizer } from './optimizer.js';

export interface RmspropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  readonly kind = 'rmsprop' as const;
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly maximize: boolean;

  constructor(params: readonly Tensor[], opts: RmspropOptions = {}) {
    super(params, opts.lr ?? 1e-2, ['squareAvg', 'gradAvg', 'momentum']);
    this.alpha = opts.alpha ?? 0.99;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.momentum = opts.momentum ?? 0;
    this.centered = opts.centered ?? false;
    this.maximize = opts.maximize ?? false;
    checkNonNeg('alpha', this.alpha);
    checkNonNeg('eps', this.eps);
    checkNonNeg('weightDecay', this.weightDecay);
    checkNonNeg('momentum', this.momentum);
  }

  options(): Record<string, number | boolean> {
    const { alpha, eps, weightDecay, momentum, centered, maximize } = this;
    return { lr: this.lr, alpha, eps, weightDecay, momentum, centered, maximize };
  }

  protected update(i: number, p: FArray, g: FArray): void {
    const { lr, alpha: a, eps, weightDecay: wd, momentum: mu } = this;
    const sign = this.maximize ? -1 : 1;
    const v = this.buffer('squareAvg', i);
    const ga = this.centered ? this.buffer('gradAvg', i) : null;
    const b = mu > 0 ? this.buffer('momentum', i) : null;
    for (let k = 0; k < p.length; k++) {
      let d = sign * g[k];
      if (wd !== 0) d += wd * p[k];
      v[k] = a * v[k] + (1 - a) * d * d;
      let vt = v[k];
      if (ga) {
        ga[k] = a * ga[k] + (1 - a) * d;
        vt -= ga[k] * ga[k];
      }
      const step = d / (Math.sqrt(vt) + eps);
      if (b) {
        b[k] = mu * b[k] + step;
        p[k] -= lr * b[k];
      } else p[k] -= lr * step;
    }
  }
}

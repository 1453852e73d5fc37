/**
 * SGD with momentum, dampening, Nesterov and coupled weight decay, as torch.optim.SGD:
 *   g ← ∇ + λθ;  b ← g on the first step, else b ← μb + (1 − τ)g;  g ← g + μb (Nesterov) or g ← b;  θ ← θ − γg.
 * Defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false.
 */
import type { FArray } from '../backend/types.js';
import { argError } from '../check.js';
import type { Tensor } from '../tensor.js';
import { checkNonNeg, Optimizer } from './optimizer.js';

export interface SgdOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** Ascend instead of descend. */
  maximize?: boolean;
}

export class SGD extends Optimizer {
  readonly kind = 'sgd' as const;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;

  constructor(params: readonly Tensor[], opts: SgdOptions = {}) {
    super(params, opts.lr ?? 1e-3, ['momentum']);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.maximize = opts.maximize ?? false;
    checkNonNeg('momentum', this.momentum);
    checkNonNeg('weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      argError('nesterov', 'needs momentum > 0 and dampening = 0', {
        momentum: this.momentum,
        dampening: this.dampening,
      });
    }
  }

  options(): Record<string, number | boolean> {
    const { momentum, dampening, weightDecay, nesterov, maximize } = this;
    return { lr: this.lr, momentum, dampening, weightDecay, nesterov, maximize };
  }

  protected update(i: number, p: FArray, g: FArray, t: number): void {
    const { lr, momentum: mu, dampening: tau, weightDecay: wd, nesterov } = this;
    const sign = this.maximize ? -1 : 1;
    const b = mu !== 0 ? this.buffer('momentum', i) : null;
    for (let k = 0; k < p.length; k++) {
      let d = sign * g[k];
      if (wd !== 0) d += wd * p[k];
      if (b) {
        b[k] = t === 1 ? d : mu * b[k] + (1 - tau) * d;
        d = nesterov ? d + mu * b[k] : b[k];
      }
      p[k] -= lr * d;
    }
  }
}

/**
 * The part Adam, AdamW and NAdam share, written once: hyper-parameters and their checks, weight decay (coupled into
 * the gradient, or decoupled as θ ← θ(1 − γλ) with `decoupledWeightDecay`, torch's name for it on Adam and NAdam),
 * the first and second moment updates, and the step
 *   θ ← θ − (a·g + b·m) / (√v̂ / √(1 − β₂ᵗ) + ε)
 * where each optimizer only chooses a (the weight on the current gradient) and b (on the momentum), and v̂ is v or,
 * with amsgrad, its running maximum.
 */
import type { FArray } from '../backend/types.js';
import type { Tensor } from '../tensor.js';
import { checkNonNeg, checkUnit, Optimizer } from './optimizer.js';

export interface MomentOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Decay θ directly (AdamW's rule) instead of adding λθ to the gradient. */
  decoupledWeightDecay?: boolean;
  maximize?: boolean;
}

/** What a subclass defaults differently: Adam lr 1e-3, AdamW also λ 0.01 decoupled, NAdam lr 2e-3. */
export interface MomentDefaults {
  lr: number;
  weightDecay?: number;
  decoupledWeightDecay?: boolean;
}

export abstract class MomentOptimizer extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;
  readonly maximize: boolean;

  constructor(
    params: readonly Tensor[],
    opts: MomentOptions,
    defaults: MomentDefaults,
    bufferNames: readonly string[],
    scalarNames: readonly string[] = [],
  ) {
    super(params, opts.lr ?? defaults.lr, ['expAvg', 'expAvgSq', ...bufferNames], scalarNames);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? defaults.weightDecay ?? 0;
    this.decoupledWeightDecay = opts.decoupledWeightDecay ?? defaults.decoupledWeightDecay ?? false;
    this.maximize = opts.maximize ?? false;
    checkUnit('betas[0]', this.beta1);
    checkUnit('betas[1]', this.beta2);
    checkNonNeg('eps', this.eps);
    checkNonNeg('weightDecay', this.weightDecay);
  }

  options(): Record<string, number | boolean> {
    const { beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize } = this;
    return { lr: this.lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize };
  }

  /**
   * The shared loop over parameter i: decay, moments, then θ −= (gradCoef·g + momentCoef·m) / denom. `vmax`, when
   * given, keeps the running maximum of v and takes its place (amsgrad).
   */
  protected momentStep(
    i: number,
    p: FArray,
    g: FArray,
    t: number,
    gradCoef: number,
    momentCoef: number,
    vmax: FArray | null,
  ): void {
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const sign = this.maximize ? -1 : 1;
    const m = this.buffer('expAvg', i);
    const v = this.buffer('expAvgSq', i);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const coupled = !this.decoupledWeightDecay && wd !== 0;
    const shrink = this.decoupledWeightDecay ? 1 - lr * wd : 1;
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
      p[k] -= (gradCoef * d + momentCoef * m[k]) / (Math.sqrt(vk) / bc2Sqrt + eps);
    }
  }
}

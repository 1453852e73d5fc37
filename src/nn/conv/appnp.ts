/**
 * APPNP propagation (Gasteiger et al., ICLR 2019, "Predict then Propagate", https://arxiv.org/abs/1810.05997), as
 * PyG's APPNP(K, alpha): personalised-PageRank smoothing of the predictions H with no weights of its own:
 *   Z⁰ = H,   Z^{k+1} = (1 − α) Â Z^k + α H   for k < K,   output Z^K
 * with Â = D̂^{-1/2}(A + I)D̂^{-1/2}. Shapes: H and Z N × C. Defaults (WikiCS paper): K = 2, α = 0.11.
 */
import { add, scale, type Tensor } from '../../engine/index.js';
import { type ForwardContext, Module } from '../module.js';
import { propagateGcn } from './edge-mask.js';

export class APPNP extends Module {
  readonly k: number;
  readonly alpha: number;

  constructor(k = 2, alpha = 0.11) {
    super();
    this.k = k;
    this.alpha = alpha;
  }

  forward(h: Tensor, ctx: ForwardContext): Tensor {
    const teleport = this.alpha > 0 ? scale(h, this.alpha) : null;
    let z = h;
    for (let i = 0; i < this.k; i++) {
      const prop = scale(propagateGcn(z, ctx), 1 - this.alpha);
      z = teleport ? add(prop, teleport) : prop;
    }
    return z;
  }
}

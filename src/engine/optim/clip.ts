/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
 * Global norm: total = (Σ_p ‖g_p‖²)^{1/2} over all parameters; when total > maxNorm every gradient is scaled by
 * maxNorm / (total + 1e-6). Returns the norm before clipping (log it to spot exploding gradients).
 */
import { argError } from '../check.js';
import type { Tensor } from '../tensor.js';

export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  if (!(maxNorm > 0)) argError('maxNorm', `${maxNorm} must be > 0`, { value: maxNorm });
  let sq = 0;
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    for (let k = 0; k < g.length; k++) sq += g[k] * g[k];
  }
  const total = Math.sqrt(sq);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const p of params) {
      const g = p.grad;
      if (g === null) continue;
      for (let k = 0; k < g.length; k++) g[k] *= coef;
    }
  }
  return total;
}

/** Clamps every gradient entry to [−clip, clip]. */
export function clipGradValue(params: readonly Tensor[], clip: number): void {
  if (!(clip > 0)) argError('clip', `${clip} must be > 0`, { value: clip });
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    for (let k = 0; k < g.length; k++) g[k] = Math.min(clip, Math.max(-clip, g[k]));
  }
}

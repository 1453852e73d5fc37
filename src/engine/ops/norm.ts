/**
 * Layer normalisation over the last dimension (Ba et al., 2016), as torch.nn.LayerNorm:
 *   y = (x − μ) / √(σ² + ε) · γ + β, with μ, σ² the biased mean and variance of each row; default ε = 1e-5.
 * Backward with x̂ = (x − μ)·r, r = 1/√(σ² + ε) and d = g ⊙ γ:
 *   dx = r · (d − mean(d) − x̂ · mean(d ⊙ x̂)),   dγ = Σ_rows g ⊙ x̂,   dβ = Σ_rows g.
 */
import { argError, dims2 } from '../check.js';
import type { Tensor } from '../tensor.js';

export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const [n, c] = dims2('layerNorm x', x.shape);
  if (gamma.size !== c || beta.size !== c) {
    argError('layerNorm gamma/beta', `have ${gamma.size}/${beta.size} entries, x has ${c} columns`, { cols: c });
  }
  const tape = x.tape;
  const be = tape.backend;
  const out = tape.result([n, c], x, gamma, beta);
  const xhat = tape.scratch(n * c);
  const rstd = tape.scratch(n);
  const v = x.data;
  const o = out.data;
  const gm = gamma.data;
  const bt = beta.data;
  for (let i = 0; i < n; i++) {
    const b = i * c;
    let mu = 0;
    for (let k = 0; k < c; k++) mu += v[b + k];
    mu /= c;
    let var_ = 0;
    for (let k = 0; k < c; k++) var_ += (v[b + k] - mu) * (v[b + k] - mu);
    const r = 1 / Math.sqrt(var_ / c + eps);
    rstd[i] = r;
    for (let k = 0; k < c; k++) {
      const h = (v[b + k] - mu) * r;
      xhat[b + k] = h;
      o[b + k] = h * gm[k] + bt[k];
    }
  }
  if (out.requiresGrad) {
    tape.record(out, (g) => {
      if (x.requiresGrad) {
        tape.gradInto(x, (buf) => {
          for (let i = 0; i < n; i++) {
            const b = i * c;
            let md = 0;
            let mdx = 0;
            for (let k = 0; k < c; k++) {
              const d = g[b + k] * gm[k];
              md += d;
              mdx += d * xhat[b + k];
            }
            md /= c;
            mdx /= c;
            for (let k = 0; k < c; k++) buf[b + k] += rstd[i] * (g[b + k] * gm[k] - md - xhat[b + k] * mdx);
          }
        });
      }
      if (gamma.requiresGrad) {
        tape.gradInto(gamma, (buf) => {
          for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) buf[k] += g[i * c + k] * xhat[i * c + k];
        });
      }
      if (beta.requiresGrad) tape.gradViaTemp(beta, (buf) => be.colSum(g, n, c, buf));
    });
  }
  return out;
}

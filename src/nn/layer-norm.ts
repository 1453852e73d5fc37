/**
 * LayerNorm over the feature dimension (Ba et al., 2016; torch.nn.LayerNorm(dim)):
 *   y = (x − μ) / √(σ² + ε) · γ + β, per row, ε = 1e-5, γ = 1 and β = 0 at init. Shapes: x and y N × dim.
 * One of the tricks that make tuned classic GNNs strong (Luo et al., 2024, "Classic GNNs are strong baselines").
 */
import { constantInit, layerNorm, type Tape, type Tensor } from '../engine/index.js';
import { Module } from './module.js';

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly eps: number;

  constructor(tape: Tape, dim: number, eps = 1e-5) {
    super();
    this.eps = eps;
    this.weight = this.addParam('weight', tape.param([dim], constantInit(1)));
    this.bias = this.addParam('bias', tape.param([dim]));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

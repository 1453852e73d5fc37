/**
 * Linear: y = x·W + b (torch.nn.Linear / PyG Linear), the one dense layer every model uses.
 *
 * Shapes: x N × in, W in × out (stored transposed relative to torch, so the product is x·W), b out, y N × out.
 * Init (default `torch`): W and b ~ U(−1/√in, 1/√in) as torch.nn.Linear; `glorot` draws W from Glorot-uniform and
 * zeroes b (PyG's convs). bias defaults to true.
 */
import { addBias, glorotInit, linearInit, matmul, type Rng, type Tape, type Tensor } from '../engine/index.js';
import { Module } from './module.js';

export interface LinearOptions {
  bias?: boolean;
  init?: 'torch' | 'glorot';
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(tape: Tape, rng: Rng, inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const glorot = opts.init === 'glorot';
    const wInit = glorot ? glorotInit(rng) : linearInit(rng, inFeatures);
    this.weight = this.addParam('weight', tape.param([inFeatures, outFeatures], wInit));
    this.bias =
      opts.bias === false
        ? null
        : this.addParam('bias', tape.param([outFeatures], glorot ? undefined : linearInit(rng, inFeatures)));
  }

  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight);
    return this.bias ? addBias(y, this.bias) : y;
  }
}

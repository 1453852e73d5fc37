/** Hidden activations by config name (`model.activation`). leaky_relu uses torch's default slope 0.01. */
import { elu, leakyRelu, relu, type Tensor } from '../engine/index.js';

export type ActivationName = 'relu' | 'elu' | 'leaky_relu';

export function activation(name: ActivationName): (x: Tensor) => Tensor {
  switch (name) {
    case 'relu':
      return relu;
    case 'elu':
      return (x) => elu(x, 1);
    case 'leaky_relu':
      return (x) => leakyRelu(x, 0.01);
  }
}

/** Every differentiable op (forward and backward side by side in each file) plus the no-grad helpers. */
export { elu, leakyRelu, relu } from './activation.js';
export { edgeAggregate, edgeScore, edgeSoftmax, headDot } from './attention.js';
export { dropout } from './dropout.js';
export { add, addBias, mul, scale, sub } from './elementwise.js';
export {
  accuracy,
  argmax,
  argmaxRows,
  crossEntropy,
  logSoftmax,
  maskToRows,
  nllLoss,
  type RowSelection,
  softmax,
  softmaxRows,
} from './loss.js';
export { linear, type MatmulOptions, matmul } from './matmul.js';
export { layerNorm } from './norm.js';
export { l2Penalty, mean, sum } from './reduce.js';
export { concatCols, headMean, indexSelect, sliceRows } from './shape.js';
export { spmm } from './sparse.js';

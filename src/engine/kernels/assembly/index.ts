// Entry point of build/kernels.wasm: every export is a kernel called with raw byte offsets into the shared memory.
export { packB, transposeB, gemmNN, gemmTN } from './gemm';
export { spmm, edgeAggregate } from './sparse';
export { edgeScore, edgeScoreBackward, edgeSoftmax, edgeSoftmaxBackward, edgeAggregateGradAlpha } from './edge';
export {
  relu,
  reluBackward,
  maskScale,
  axpy,
  addBias,
  colSumPartial,
  colSumCombine,
  COLSUM_BLOCK,
  zeroBytes,
} from './elementwise';

/** First byte past the module's static data: the allocator's arena starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
export { dropoutMask } from './random';
export { parseDecimalRun } from './decimal';

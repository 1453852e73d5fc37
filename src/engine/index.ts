/**
 * The public engine API: tensors on a tape, differentiable ops, optimizers, seeded randomness, initialisers and
 * sparse graph operators. Models and the trainer import from here only; backends are chosen by name.
 */

export {
  type AttentionGraph,
  attentionGraph,
  disposeAdjacency,
  type GraphStructure,
  gcnAdjacency,
  meanAdjacency,
  type SelfLoopOptions,
  type SparseAdjacency,
  transposeCsr,
} from './adjacency.js';
export {
  type Backend,
  type BackendName,
  type BackendOptions,
  backendOptionsFromEnv,
  type Csr,
  createBackend,
  type DType,
  type FArray,
  getBackend,
  setBackend,
} from './backend/index.js';
export { type GradcheckOptions, type GradcheckResult, gradcheck } from './gradcheck.js';
export { constantInit, glorotInit, type Init, linearInit, uniformInit } from './init.js';
export * from './ops/index.js';
export * from './optim/index.js';
export { Rng } from './rng.js';
export { shapeSize, Tape, type TensorOptions } from './tape.js';
export { type BackwardFn, type Shape, Tensor, type TensorKind } from './tensor.js';

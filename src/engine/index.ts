/**
 * The public engine API: tensors on a tape, differentiable ops, optimizers, seeded randomness, initialisers and
 * sparse graph operators. Models and the trainer import from here only; backends are chosen by name.
 *
 *   const be = createBackend({ name: 'wasm' });            // or getBackend(); 'reference' (f32/f64) for checks
 *   const tape = new Tape(be), rng = new Rng(seed), drop = new Rng(seed + 1);
 *   const adj = gcnAdjacency(be, graph);                    // once per graph (Â and its transpose)
 *   const x = tape.tensor(graph.features, [n, f]);
 *   const w = tape.param([f, h], glorotInit(rng)), b = tape.param([h]);
 *   const opt = new Adam([w, b], { lr: 0.02, weightDecay: 5e-4 });
 *   const train = maskToRows(graph.splits[0].train);
 *   // per epoch:
 *   const logits = addBias(spmm(adj, matmul(dropout(x, 0.5, true, drop), w)), b);
 *   const loss = crossEntropy(logits, graph.labels, train);
 *   opt.zeroGrad(); tape.backward(loss); opt.step(); tape.reset();
 *   const val = tape.noGrad(() => accuracy(model(false), graph.labels, valRows)); tape.reset();
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
export { type CsrCheckOptions, type CsrLike, checkCsr } from './backend/csr-check.js';
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
export { buildCsr, type CsrAdjacency, structureFromEdges } from './csr.js';
export { type GradcheckOptions, type GradcheckResult, gradcheck } from './gradcheck.js';
export { constantInit, glorotInit, type Init, linearInit, uniformInit } from './init.js';
export * from './ops/index.js';
export * from './optim/index.js';
export { Rng } from './rng.js';
export { shapeSize, Tape, type TensorOptions } from './tape.js';
export { type BackwardFn, type Shape, Tensor, type TensorKind } from './tensor.js';

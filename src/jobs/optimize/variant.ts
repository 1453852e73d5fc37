/**
 * The weights of an optimised variant of a checkpoint. Which tensors change: every weight MATRIX, i.e. a 2-D
 * tensor whose name ends in `weight` (GCN/GAT/SAGE/MLP/APPNP linear maps, in × out). Biases, LayerNorm scales
 * (1-D) and GAT attention vectors (`att_src`/`att_dst`) are left as they are: they are few, and the attention
 * vectors are not linear maps.
 *
 * - prune: global magnitude pruning over all matrices together (pruneMatrices): a new float32 checkpoint in which
 *   ⌊fraction · #weights⌋ entries are exactly 0. Stored densely, so the file is the same size; it compresses.
 * - int8: each matrix is quantised with symmetric per-output-column scales (quantizeInt8) and DEQUANTISED back to
 *   float32 (Ŵ = q · scale), so the native engine computes with exactly the weights an int8 ONNX model restores
 *   with DequantizeLinear. The size gain is in the int8 ONNX artifact (GCN only), not in the checkpoint.
 */
import type { LoadedCheckpoint } from '../../nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../nn/export/onnx/gcn.js';
import { pruneMatrices, quantizeInt8 } from '../../nn/export/onnx/optimize.js';
import type { NamedTensor } from '../../nn/safetensors.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import type { Optimization } from './spec.js';

export interface Variant {
  /** The variant's state dict (same names and shapes as the source). */
  tensors: Map<string, NamedTensor>;
  /** Names of the tensors that were optimised. */
  matrices: string[];
  /** Entries in those matrices, and how many are exactly zero after the optimisation. */
  weights: number;
  zeroWeights: number;
  /** For int8 on a GCN: the int8 ONNX export (weights stored as int8 + per-column scales); else null. */
  onnx: Uint8Array | null;
  /** Why there is no ONNX artifact, when there is none for an int8 variant. */
  onnxUnavailable?: string;
}

/** The names of the weight matrices of a state dict, in order. */
export function weightMatrixNames(tensors: ReadonlyMap<string, NamedTensor>): string[] {
  return [...tensors].filter(([name, t]) => /(^|\.)weight$/.test(name) && t.shape.length === 2).map(([n]) => n);
}

export function makeVariant(
  ckpt: LoadedCheckpoint,
  o: Optimization,
  meta: Record<string, string> = {},
  temperature = 1,
): Variant {
  const names = weightMatrixNames(ckpt.tensors);
  if (names.length === 0) {
    throw new GnnopsError(
      ErrorCodes.CHECKPOINT_INVALID,
      `the ${ckpt.meta.model.name} checkpoint has no 2-D weight tensors to ${o.kind}`,
      { model: ckpt.meta.model.name },
    );
  }
  const tensors = new Map<string, NamedTensor>();
  for (const [k, t] of ckpt.tensors) tensors.set(k, { shape: [...t.shape], data: t.data.slice() });
  let onnx: Uint8Array | null = null;
  let onnxUnavailable: string | undefined;
  if (o.kind === 'prune') {
    const pruned = pruneMatrices(
      names.map((n) => ckpt.tensors.get(n)!.data),
      o.fraction,
    );
    names.forEach((n, i) => {
      tensors.get(n)!.data = pruned[i];
    });
  } else {
    for (const n of names) {
      const t = tensors.get(n)!;
      const [rows, cols] = t.shape;
      const { q, scale } = quantizeInt8(t.data, rows, cols);
      const deq = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) deq[i * cols + j] = q[i * cols + j] * scale[j];
      t.data = deq;
    }
    try {
      onnx = exportGcnOnnx(gcnWeightsFromCheckpoint(ckpt), meta, { quantize: 'int8', temperature });
    } catch (e) {
      if (!(e instanceof GnnopsError)) throw e;
      onnxUnavailable = e.message;
    }
  }
  let weights = 0;
  let zeroWeights = 0;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    weights += d.length;
    for (let i = 0; i < d.length; i++) if (d[i] === 0) zeroWeights++;
  }
  return { tensors, matrices: names, weights, zeroWeights, onnx, ...(onnxUnavailable ? { onnxUnavailable } : {}) };
}

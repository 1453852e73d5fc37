import { ErrorCodes, GnnopsError } from '../../../util/errors.js';
import type { ModelConfig } from '../../models/model.js';
import type { GcnWeights } from './gcn.js';

/**
 * The GCN weights of a checkpoint (`stack.layers.{l}.weight` in × out, `stack.layers.{l}.bias`), ready for
 * exportGcnOnnx (a LoadedCheckpoint, or `{meta: {model: cfg}, tensors: model.stateDict()}`). Only what the
 * exporter reproduces exactly is accepted: model.name gcn, no layer_norm.
 */
export function gcnWeightsFromCheckpoint(ckpt: {
  meta: { model: ModelConfig };
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>;
}): GcnWeights {
  const m = ckpt.meta.model;
  if (m.name !== 'gcn') {
    throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, `ONNX export supports GCN models; this checkpoint is ${m.name}`);
  }
  if (m.layer_norm) {
    throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, 'ONNX export of models with model.layer_norm is not implemented');
  }
  const layers: GcnWeights['layers'] = [];
  for (let l = 0; ; l++) {
    const w = ckpt.tensors.get(`stack.layers.${l}.weight`);
    if (!w) break;
    const b = ckpt.tensors.get(`stack.layers.${l}.bias`);
    const [inW, outW] = w.shape;
    if (w.shape.length !== 2 || (b && (b.shape.length !== 1 || b.shape[0] !== outW))) {
      throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, `stack.layers.${l}: unexpected weight/bias shapes`);
    }
    layers.push({
      in: inW,
      out: outW,
      weight: Float32Array.from(w.data),
      bias: b ? Float32Array.from(b.data) : new Float32Array(outW),
    });
  }
  if (layers.length === 0) {
    throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, 'checkpoint has no stack.layers.0.weight');
  }
  return { layers, activation: m.activation, residual: m.residual };
}

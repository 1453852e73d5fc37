import { ErrorCodes, GnnopsError } from '../../../util/errors.js';
import { floatTensor, GraphBuilder, int8Tensor, int64Tensor } from './graph-builder.js';
import { quantizeInt8 } from './optimize.js';
import { DataType } from './proto.js';

/** One GCN layer: weight is row-major in × out (h = x W), bias has `out` entries. */
export interface GcnLayerWeights {
  in: number;
  out: number;
  weight: Float32Array;
  bias: Float32Array;
}

export interface GcnWeights {
  layers: GcnLayerWeights[];
  /** Activation between layers (default relu; leaky_relu with slope 0.01, as torch and src/nn/activation.ts). */
  activation?: 'relu' | 'elu' | 'leaky_relu';
  /** Add each hidden layer's input to its activated output when the widths match (model.residual). */
  residual?: boolean;
}

/**
 * Export a GCN (Kipf & Welling, https://arxiv.org/abs/1609.02907, with PyG's GCNConv conventions) as an ONNX
 * graph (opset 18) on a request subgraph:
 *   inputs  x FLOAT [n, F], edge_index INT64 [2, E] (messages flow edge_index[0] → edge_index[1])
 *   outputs probabilities FLOAT [n, C] = softmax(logits / T), logits FLOAT [n, C]
 * Per layer: Â = D^-1/2 (A + I) D^-1/2 with duplicate edges dropped and self-loops added once (existing ones are
 * replaced by one loop of weight 1), D the in-degree including the loop; H' = Â (H W) + b; the activation (and
 * residual) between layers; softmax of logits / T at the end. This is the native engine's GCNConv (src/nn/conv/gcn-conv.ts). The aggregation is a ScatterElements(reduction="add"), which ONNX Runtime computes wrongly
 * with more than one intra-op thread: run the session with intraOpNumThreads = 1 (see runtime.ts).
 * `quantize: 'int8'` stores weights as int8 with per-column scales (about 4× smaller; see optimize.ts).
 *
 * `temperature` (the version's calibration, default 1) is a Div node before the Softmax, so that anyone who runs
 * the file and reads `probabilities` gets the calibrated ones gnnops serves, with no gnnops code; it is also in the
 * metadata (`temperature`), and `logits` lets a consumer apply another temperature (or compute energy scores).
 */
export function exportGcnOnnx(
  w: GcnWeights,
  meta: Record<string, string> = {},
  opts: { quantize?: 'int8'; temperature?: number } = {},
): Uint8Array {
  const T = opts.temperature ?? 1;
  if (!(T > 0 && Number.isFinite(T))) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `temperature: ${T} is not a finite number > 0`);
  }
  if (w.layers.length === 0) throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'layers: a GCN needs ≥ 1 layer');
  w.layers.forEach((l, i) => {
    if (l.weight.length !== l.in * l.out || l.bias.length !== l.out) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `layers[${i}]: weight must have ${l.in}×${l.out} values and bias ${l.out}`,
      );
    }
    if (i > 0 && l.in !== w.layers[i - 1].out) {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `layers[${i}].in must equal layers[${i - 1}].out`);
    }
  });
  const F = w.layers[0].in;
  const C = w.layers[w.layers.length - 1].out;
  const g = new GraphBuilder('gcn');
  const x = g.input('x', DataType.FLOAT, ['n', F]);
  const ei = g.input('edge_index', DataType.INT64, [2, 'E']);
  g.output('probabilities', DataType.FLOAT, ['n', C]);
  g.output('logits', DataType.FLOAT, ['n', C]);

  const i0 = g.init(int64Tensor([], [0]), 'zero');
  const i1 = g.init(int64Tensor([], [1]), 'one');
  const ax0 = g.init(int64Tensor([1], [0]), 'axes0');
  const ax1 = g.init(int64Tensor([1], [1]), 'axes1');
  const negHalf = g.init(floatTensor([], [-0.5]), 'neg_half');
  const zeroF = { tensor: floatTensor([1], [0]) };
  const oneF = { tensor: floatTensor([1], [1]) };

  // edges without self-loops and without duplicates (Unique over src·n + dst), then one loop per node
  const src = g.node('Gather', [ei, i0], { axis: 0 });
  const dst = g.node('Gather', [ei, i1], { axis: 0 });
  const keep = g.node('Not', [g.node('Equal', [src, dst])]);
  const n = g.node('Gather', [g.node('Shape', [x]), i0], { axis: 0 });
  const key = g.node('Add', [
    g.node('Mul', [g.node('Compress', [src, keep], { axis: 0 }), n]),
    g.node('Compress', [dst, keep], { axis: 0 }),
  ]);
  const uniq = g.node('Unique', [key], { sorted: 1 });
  const loop = g.node('Range', [i0, n, i1]);
  const S = g.node('Concat', [g.node('Div', [uniq, n]), loop], { axis: 0 });
  const D = g.node('Concat', [g.node('Mod', [uniq, n]), loop], { axis: 0 });

  // symmetric normalisation from in-degrees (≥ 1 thanks to the loops)
  const zerosN = g.node('ConstantOfShape', [g.node('Unsqueeze', [n, ax0])], { value: zeroF });
  const onesM = g.node('ConstantOfShape', [g.node('Shape', [D])], { value: oneF });
  const deg = g.node('ScatterElements', [zerosN, D, onesM], { axis: 0, reduction: { string: 'add' } });
  const dinv = g.node('Pow', [deg, negHalf]);
  const norm = g.node('Mul', [g.node('Gather', [dinv, S], { axis: 0 }), g.node('Gather', [dinv, D], { axis: 0 })]);
  const normCol = g.node('Unsqueeze', [norm, ax1]);
  const dCol = g.node('Unsqueeze', [D, ax1]);

  let h = x;
  w.layers.forEach((l, li) => {
    let W: string;
    if (opts.quantize === 'int8') {
      // int8 weights + per-column scales; DequantizeLinear restores float weights (folded once by the runtime)
      const { q, scale } = quantizeInt8(l.weight, l.in, l.out);
      const qw = g.init(int8Tensor([l.in, l.out], q), `layer${li}_weight_q`);
      const sc = g.init(floatTensor([l.out], scale), `layer${li}_weight_scale`);
      const zp = g.init(int8Tensor([l.out], new Int8Array(l.out)), `layer${li}_weight_zero`);
      W = g.node('DequantizeLinear', [qw, sc, zp], { axis: 1 });
    } else {
      W = g.init(floatTensor([l.in, l.out], l.weight), `layer${li}_weight`);
    }
    const b = g.init(floatTensor([l.out], l.bias), `layer${li}_bias`);
    const xw = g.node('MatMul', [h, W]);
    const msg = g.node('Mul', [g.node('Gather', [xw, S], { axis: 0 }), normCol]);
    const idx = g.node('Expand', [dCol, g.node('Shape', [msg])]);
    const zeros = g.node('ConstantOfShape', [g.node('Shape', [xw])], { value: zeroF });
    const agg = g.node('ScatterElements', [zeros, idx, msg], { axis: 0, reduction: { string: 'add' } });
    const out = g.node('Add', [agg, b]);
    if (li < w.layers.length - 1) {
      const act =
        w.activation === 'elu'
          ? g.node('Elu', [out], { alpha: { float: 1 } })
          : w.activation === 'leaky_relu'
            ? g.node('LeakyRelu', [out], { alpha: { float: 0.01 } })
            : g.node('Relu', [out]);
      h = w.residual && l.in === l.out ? g.node('Add', [act, h]) : act;
    } else h = out;
  });
  g.node('Identity', [h], {}, 'logits');
  const scaled = T === 1 ? h : g.node('Div', [h, g.init(floatTensor([], [T]), 'temperature')]);
  g.node('Softmax', [scaled], { axis: -1 }, 'probabilities');
  return g.encode({
    docString: `gnnops GCN forward on a request subgraph; probabilities = softmax(logits / ${T})`,
    metadata: { ...meta, temperature: String(T) },
  });
}

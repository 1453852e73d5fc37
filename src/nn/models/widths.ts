import type { ModelConfig, ModelDims } from './model.js';
import type { StackOptions } from './stack.js';

/** Output width of each layer: hidden for all but the last, numClasses for the last. */
export function widthsOf(cfg: ModelConfig, dims: ModelDims, hiddenWidth = cfg.hidden): number[] {
  return Array.from({ length: cfg.layers }, (_, l) => (l === cfg.layers - 1 ? dims.numClasses : hiddenWidth));
}

/** Builds layers input → widths[0] → widths[1] …, each from its (in, out) pair. */
export function chain<L>(
  input: number,
  widths: readonly number[],
  make: (inW: number, outW: number, l: number) => L,
): L[] {
  let inW = input;
  return widths.map((w, l) => {
    const layer = make(inW, w, l);
    inW = w;
    return layer;
  });
}

export function stackOptions(cfg: ModelConfig): StackOptions {
  return {
    dropout: cfg.dropout,
    inputDropout: cfg.input_dropout,
    activation: cfg.activation,
    residual: cfg.residual,
    layerNorm: cfg.layer_norm,
  };
}

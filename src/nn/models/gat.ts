/**
 * GAT (Veličković et al., 2018): hidden GATConv layers with `heads` heads of `hidden` channels, concatenated
 * (width heads·hidden), and an output GATConv with `out_heads` heads averaged (width numClasses). Paper setting on
 * Cora: 8 heads × 8, ELU, dropout 0.6 on inputs, hidden units and attention, 1 output head; WikiCS paper: 5 × 14.
 */
import type { Rng, Tape } from '../../engine/index.js';
import { GATConv } from '../conv/gat-conv.js';
import { type ModelConfig, type ModelDims, NodeModel } from './model.js';
import { LayerStack } from './stack.js';
import { chain, stackOptions, widthsOf } from './widths.js';

export function buildGat(tape: Tape, rng: Rng, cfg: ModelConfig, dims: ModelDims): NodeModel {
  const widths = widthsOf(cfg, dims, cfg.hidden * cfg.heads);
  const last = cfg.layers - 1;
  const layers = chain(dims.numFeatures, widths, (i, _o, l) =>
    l === last
      ? new GATConv(tape, rng, i, dims.numClasses, {
          heads: cfg.out_heads,
          concat: false,
          attentionDropout: cfg.attention_dropout,
        })
      : new GATConv(tape, rng, i, cfg.hidden, {
          heads: cfg.heads,
          concat: true,
          attentionDropout: cfg.attention_dropout,
        }),
  );
  return new NodeModel(cfg, dims, new LayerStack(tape, layers, dims.numFeatures, widths, stackOptions(cfg)));
}

import { z } from 'zod';

export const OptimizerNames = ['adam', 'adamw', 'sgd', 'rmsprop', 'nadam'] as const;

/**
 * A full-batch step keeps every node's activations in the engine's memory, one wasm32 memory of at most 4 GiB. The
 * estimate is 4 · N · (F + 6 · L · W) + 24 · E bytes, plus 16 · E · H · L for GAT's per-edge scores (N nodes,
 * F features, L layers of width W = hidden × heads for GAT, E edge entries). The 6 per layer and the 24 bytes per edge
 * entry (the normalised adjacency and its transpose) come from the wasm arena's high-water mark on synthetic graphs
 * of 20,000 nodes: 2-layer SAGE, GCN and GAT took 8.5–10.6 × N·W·4 bytes, 3-layer SAGE 18.6 ×, and each extra edge
 * entry about 22 bytes. The default budget leaves a quarter of the memory for the kernels' staging blocks and the
 * arena's size classes.
 */
export const FULL_BATCH_MAX_GIB = 3;
/** The mini-batch size used when the full-batch estimate is over the budget and train.batch_size is unset. */
export const AUTO_BATCH_SIZE = 1024;

/** `15,10` (an override or a YAML string) or a list. */
const fanoutList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p.trim()))) : v),
  z
    .array(
      z
        .number()
        .int()
        .min(-1)
        .refine((k) => k !== 0, { error: '-1 (all neighbours) or a count ≥ 1' }),
    )
    .min(1)
    .max(8),
);

export const trainSection = z
  .strictObject({
    optimizer: z.enum(OptimizerNames).default('adam').describe('Optimizer.'),
    lr: z.number().min(0).max(10).default(0.02).describe('Learning rate (0 freezes the weights).'),
    weight_decay: z.number().min(0).max(1).default(5e-4).describe('L2 weight decay (decoupled for adamw).'),
    momentum: z.number().min(0).max(1).default(0.9).describe('Momentum for sgd and rmsprop.'),
    nesterov: z.boolean().default(false).describe('Nesterov momentum for sgd.'),
    grad_clip: z.number().min(0).default(0).describe('Clip the global gradient norm to this value (0 = off).'),
    epochs: z.number().int().min(1).max(100000).default(1000).describe('Maximum epochs per split.'),
    patience: z.number().int().min(1).max(100000).default(100).describe('Early-stopping patience in epochs.'),
    monitor: z
      .enum(['loss', 'acc', 'loss_acc'])
      .default('loss')
      .describe(
        'Early-stopping quantity on the stopping mask (WikiCS) or val (Planetoid); loss_acc is the GAT paper rule (patience resets when loss or accuracy improves, keeps the epoch where both do).',
      ),
    splits: z.number().int().min(1).max(20).default(20).describe('WikiCS: how many of the 20 splits to train on.'),
    seeds: z.number().int().min(1).max(100).default(10).describe('Planetoid: how many seeds on the fixed split.'),
    seed: z.number().int().min(0).default(0).describe('Base random seed.'),
    threads: z.number().int().min(0).max(64).default(0).describe('Kernel worker threads (0 = available cores).'),
    backend: z.enum(['wasm', 'reference']).default('wasm').describe('Kernel backend.'),
    batch_size: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .optional()
      .describe(
        `Seed nodes per mini-batch of neighbour-sampled training; 0 = full batch. Unset: full batch when the graph fits (its estimate is within train.full_batch_max_gib), else ${AUTO_BATCH_SIZE}; the run then logs why and records the batch size and fanouts it used (params train.batch_size, train.fanouts; tag batching).`,
      ),
    full_batch_max_gib: z
      .number()
      .min(0)
      .max(4)
      .default(FULL_BATCH_MAX_GIB)
      .describe(
        "Largest estimated engine memory of a full-batch step, in GiB, for which an unset train.batch_size means full batch. The estimate is 4·N·(F + 6·L·W) + 24·E bytes (N nodes, F features, L = model.layers, W = model.hidden, × model.heads for GAT, E edge entries; GAT adds 16·E·heads·L), measured from the wasm arena's high-water mark; the engine's memory is one wasm32 memory of at most 4 GiB. E.g. 2 SAGE layers of 256 on ogbn-arxiv (169,343 nodes, 128 features): 2.1 GiB, full batch; on ogbn-products (2,449,029 nodes, 100 features): 31.7 GiB, mini-batch.",
      ),
    fanouts: fanoutList
      .optional()
      .describe(
        'Neighbours sampled per hop from the seeds, one per model layer, as PyG num_neighbors: 15,10 takes 15 neighbours of each seed and 10 of each of those; -1 takes all. Default: 15,10 for two layers, 10 per layer otherwise.',
      ),
    sampler_workers: z
      .number()
      .int()
      .min(0)
      .max(64)
      .default(2)
      .describe('Threads that sample mini-batches ahead of the compute (0 = sample on the training thread).'),
    inference_batch_size: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(8192)
      .describe(
        'Mini-batch runs: nodes per chunk of the layer-wise full-neighbourhood inference that evaluates them (bounds its memory).',
      ),
  })
  .describe('Optimisation and training protocol.');

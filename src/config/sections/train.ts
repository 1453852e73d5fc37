import { z } from 'zod';

export const OptimizerNames = ['adam', 'adamw', 'sgd', 'rmsprop', 'nadam'] as const;

/**
 * Above either size a graph trains in mini-batches unless train.batch_size says otherwise: at 1M nodes one 256-wide
 * activation is 1 GB, and a full-batch pass keeps several per layer next to the graph inside wasm32's 4 GiB.
 */
export const FULL_BATCH_MAX_NODES = 1_000_000;
export const FULL_BATCH_MAX_EDGES = 20_000_000;
/** The mini-batch size used when the graph is past those sizes and train.batch_size is unset. */
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
        `Seed nodes per mini-batch of neighbour-sampled training; 0 = full batch. Unset: full batch, or ${AUTO_BATCH_SIZE} when the graph has more than ${FULL_BATCH_MAX_NODES.toLocaleString('en-US')} nodes or ${FULL_BATCH_MAX_EDGES.toLocaleString('en-US')} edge entries (the run says so).`,
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

import { z } from 'zod';

export const OptimizerNames = ['adam', 'adamw', 'sgd', 'rmsprop', 'nadam'] as const;

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
  })
  .describe('Optimisation and training protocol.');

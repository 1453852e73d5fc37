import { z } from 'zod';

export const ModelNames = ['mlp', 'gcn', 'sage', 'gat', 'appnp'] as const;
export const Activations = ['relu', 'elu', 'leaky_relu'] as const;

export const modelSection = z
  .strictObject({
    name: z.enum(ModelNames).default('gcn').describe('Architecture.'),
    hidden: z.number().int().min(1).max(4096).default(33).describe('Hidden units per layer (per head for GAT).'),
    layers: z.number().int().min(1).max(16).default(2).describe('Number of message-passing (or linear) layers.'),
    heads: z.number().int().min(1).max(16).default(8).describe('Attention heads in hidden GAT layers.'),
    out_heads: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(1)
      .describe('Attention heads in the output GAT layer (averaged).'),
    dropout: z.number().min(0).max(0.99).default(0.25).describe('Dropout on hidden representations.'),
    input_dropout: z.number().min(0).max(0.99).default(0).describe('Dropout on the input features.'),
    attention_dropout: z.number().min(0).max(0.99).default(0).describe('Dropout on GAT attention coefficients.'),
    activation: z.enum(Activations).default('relu').describe('Hidden activation.'),
    residual: z.boolean().default(false).describe('Residual connections between hidden layers of equal width.'),
    layer_norm: z.boolean().default(false).describe('LayerNorm after each hidden layer.'),
    appnp_k: z.number().int().min(1).max(64).default(2).describe('APPNP propagation steps K.'),
    appnp_alpha: z.number().min(0).max(1).default(0.11).describe('APPNP teleport probability alpha.'),
  })
  .describe('Model architecture.');

import { z } from 'zod';

export const trackSection = z
  .strictObject({
    experiment: z.string().min(1).max(128).default('default').describe('Experiment that new runs are filed under.'),
    flush_every: z
      .number()
      .int()
      .min(1)
      .max(100000)
      .default(200)
      .describe('Write buffered metric points once this many are waiting.'),
    flush_ms: z
      .number()
      .int()
      .min(0)
      .max(600000)
      .default(1000)
      .describe('…or once the oldest waiting point is this many milliseconds old.'),
    heartbeat_s: z
      .number()
      .min(1)
      .max(3600)
      .default(15)
      .describe('Run heartbeat period; lets another process tell a live run from a crashed one.'),
    stale_after_s: z
      .number()
      .min(10)
      .max(86400)
      .default(600)
      .describe(
        'A running run whose heartbeat is older than this (and, on this host, whose pid is gone) is marked failed.',
      ),
  })
  .describe('Experiment tracking (runs, params, metrics, artifacts) in the embedded SQLite store.');

export const registrySection = z
  .strictObject({
    auto_promote: z
      .boolean()
      .default(true)
      .describe('After training, promote a new version when it beats the version holding the alias.'),
    auto_promote_metric: z
      .string()
      .min(1)
      .default('val_acc_mean')
      .describe('Version metric compared by auto-promotion.'),
    auto_promote_mode: z
      .enum(['max', 'min'])
      .default('max')
      .describe('max: higher is better (accuracy); min: lower is better (loss).'),
    auto_promote_alias: z.string().min(1).default('production').describe('Alias that auto-promotion moves.'),
    auto_promote_min_delta: z
      .number()
      .min(0)
      .default(0)
      .describe('The new version must beat the incumbent by more than this margin.'),
    auto_promote_same_dataset: z
      .boolean()
      .default(true)
      .describe('Only compare versions trained on the same dataset content hash.'),
    on_promote_command: z
      .string()
      .optional()
      .describe('Shell command run after an alias change, with env NAME, VERSION, ALIAS, FROM_VERSION.'),
    on_promote_webhook: z.url().optional().describe('URL that receives a JSON POST after an alias change.'),
    hook_timeout_s: z.number().min(0.1).max(600).default(30).describe('Timeout of the promotion command and webhook.'),
  })
  .describe('Model registry: auto-promotion rule and promotion triggers.');

import { ModelNames } from '../config/sections/model.js';
import { OptimizerNames } from '../config/sections/train.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { JsonValue } from './spec.js';

/**
 * Sweep parameter names → config keys. A parameter is either one of our dotted config keys (`train.lr`,
 * `model.hidden`, or a nested W&B `parameters:` block, which flattens to the same), or a flag-style name as
 * argparse-based PyTorch Geometric training scripts spell them. Names are matched case-insensitively with `_` and `-` equivalent (`learning_rate` works).
 */
export interface Alias {
  key: string;
  /** Turns the sweep value into the config value; throws a GnnopsError naming the parameter on bad input. */
  transform?: (value: JsonValue, param: string) => JsonValue;
  doc: string;
}

function enumOf(allowed: readonly string[], what: string) {
  return (value: JsonValue, param: string): JsonValue => {
    const s = String(value).toLowerCase();
    const hit = allowed.find((a) => a === s);
    if (hit === undefined) {
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `sweep config: parameters.${param}: ${JSON.stringify(value)} is not a known ${what}; allowed (any case): ${allowed.join(', ')}`,
        { parameter: param, value },
      );
    }
    return hit;
  };
}

function hiddenLayersToLayers(value: JsonValue, param: string): JsonValue {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new GnnopsError(
      ErrorCodes.CONFIG_INVALID,
      `sweep config: parameters.${param}: expected a whole number of hidden layers >= 0, got ${JSON.stringify(value)}`,
      { parameter: param, value },
    );
  }
  return value + 1;
}

const lr: Alias = { key: 'train.lr', doc: 'learning rate' };
const optimizer: Alias = {
  key: 'train.optimizer',
  transform: enumOf(OptimizerNames, 'optimizer'),
  doc: 'Adam/AdamW/NAdam/RMSprop/SGD, any case → adam/adamw/nadam/rmsprop/sgd',
};
const hidden: Alias = { key: 'model.hidden', doc: 'hidden units per layer' };
const epochs: Alias = { key: 'train.epochs', doc: 'maximum epochs' };

export const ALIASES: Readonly<Record<string, Alias>> = Object.freeze({
  'learning-rate': lr,
  lr,
  'optimizer-name': optimizer,
  optimizer,
  'weight-decay': { key: 'train.weight_decay', doc: 'L2 weight decay' },
  dropout: { key: 'model.dropout', doc: 'dropout on hidden representations' },
  // A flag-style --hidden-layers counts hidden layers only ("layers between input and output"); model.layers
  // counts every message-passing layer, so N hidden layers = N + 1 layers.
  'hidden-layers': {
    key: 'model.layers',
    transform: hiddenLayersToLayers,
    doc: 'N hidden layers → model.layers = N + 1',
  },
  'hidden-channels': hidden,
  hidden,
  'num-epochs': epochs,
  epochs,
  'num-splits': { key: 'train.splits', doc: 'WikiCS splits to train on' },
  patience: { key: 'train.patience', doc: 'early-stopping patience' },
  heads: { key: 'model.heads', doc: 'attention heads (GAT)' },
  model: { key: 'model.name', transform: enumOf(ModelNames, 'model'), doc: 'architecture, any case' },
});

/** The full-batch pseudo-parameter: accepted for compatibility, never changes the config. */
export const BATCH_SIZE = 'batch-size';

/** Node counts of the built-in datasets (WikiCS: Mernyei & Cangea 2020; Planetoid: Yang et al. 2016). */
export const DATASET_NODES: Readonly<Record<string, number>> = Object.freeze({
  wikics: 11701,
  cora: 2708,
  citeseer: 3327,
  pubmed: 19717,
});

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

export type Target = { kind: 'key'; key: string; alias?: Alias } | { kind: 'batch-size' };

/** Where a sweep parameter lands. Dotted names are config keys as written; others must be aliases. */
export function targetOf(name: string): Target {
  if (name.includes('.')) return { kind: 'key', key: name };
  const n = normaliseName(name);
  if (n === BATCH_SIZE) return { kind: 'batch-size' };
  const alias = ALIASES[n];
  if (alias) return { kind: 'key', key: alias.key, alias };
  throw new GnnopsError(
    ErrorCodes.CONFIG_UNKNOWN_KEY,
    `sweep config: parameters.${name}: unknown parameter; use a dotted config key (e.g. train.lr, model.hidden) or one of: ${[...Object.keys(ALIASES), BATCH_SIZE].join(', ')}`,
    { parameter: name },
  );
}

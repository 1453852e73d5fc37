/**
 * What `gnnops models optimize` makes of a model: one optimisation per variant, validated from the CLI flags with
 * errors that name the flag.
 */
import { ErrorCodes, GnnopsError } from '../../util/errors.js';

export type Optimization = { kind: 'quantize'; dtype: 'int8' } | { kind: 'prune'; fraction: number };

/** Short, registry-safe label: `int8`, `pruned50` (fraction 0.5), `pruned12.5` (0.125). */
export function optimizationLabel(o: Optimization): string {
  return o.kind === 'quantize' ? o.dtype : `pruned${Number((o.fraction * 100).toFixed(4))}`;
}

/** Human description: `int8 weights (per-column symmetric)`, `50% of weights pruned (global magnitude)`. */
export function describeOptimization(o: Optimization): string {
  return o.kind === 'quantize'
    ? 'int8 weights (symmetric, per output column)'
    : `${Number((o.fraction * 100).toFixed(4))}% of weights pruned (global magnitude)`;
}

/**
 * `--quantize int8` xor `--prune <fraction>` (fraction in (0, 1): 0 would change nothing, 1 would zero the model).
 * Throws INVALID_ARGUMENT naming the flag for: both, neither, an unknown dtype, a fraction outside (0, 1).
 */
export function parseOptimization(flags: { quantize?: string; prune?: string }): Optimization {
  const { quantize, prune } = flags;
  if (quantize !== undefined && prune !== undefined) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      '--quantize and --prune: choose one optimisation per variant (optimise the variant again for both)',
      { field: 'quantize|prune' },
    );
  }
  if (quantize === undefined && prune === undefined) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, '--quantize int8 or --prune <fraction> is required', {
      field: 'quantize|prune',
    });
  }
  if (quantize !== undefined) {
    if (quantize !== 'int8') {
      throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--quantize: "${quantize}" is not supported; allowed: int8`, {
        field: 'quantize',
        value: quantize,
      });
    }
    return { kind: 'quantize', dtype: 'int8' };
  }
  const raw = String(prune).trim();
  const fraction = raw === '' ? Number.NaN : Number(raw);
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction < 1)) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--prune: "${prune}" must be a fraction of weights to zero, strictly between 0 and 1 (e.g. 0.5)`,
      { field: 'prune', value: prune, limit: '(0, 1)' },
    );
  }
  return { kind: 'prune', fraction };
}

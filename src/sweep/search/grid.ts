import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { type ParamSet, quantise } from '../space.js';
import type { JsonValue, ParamSpec } from '../spec.js';
import type { Searcher } from './types.js';

/** Largest number of points one range parameter may expand to in a grid. */
export const MAX_GRID_AXIS = 10_000;

function axisOf(p: ParamSpec): JsonValue[] {
  switch (p.distribution) {
    case 'constant':
      return [p.value];
    case 'categorical':
      return p.values;
    case 'int_uniform':
    case 'q_uniform': {
      const step = p.distribution === 'int_uniform' ? 1 : p.q;
      const n = Math.floor((p.max - p.min) / step + 1e-9) + 1;
      if (n > MAX_GRID_AXIS) {
        throw new GnnopsError(
          ErrorCodes.CONFIG_INVALID,
          `sweep config: parameters.${p.name}: grid would expand ${p.distribution} ${p.min}..${p.max} into ${n} points (limit ${MAX_GRID_AXIS}); give "values"`,
          { parameter: p.name },
        );
      }
      return Array.from({ length: n }, (_, i) => (step === 1 ? p.min + i : quantise(p.min + i * step, step)));
    }
    default:
      throw new GnnopsError(
        ErrorCodes.CONFIG_INVALID,
        `sweep config: parameters.${p.name}: method grid needs a finite set of values, but distribution ${p.distribution} is continuous; give "values" (or int_uniform / q_uniform bounds)`,
        { parameter: p.name, distribution: p.distribution },
      );
  }
}

/** Cartesian product over every parameter's values, in file order, the last parameter varying fastest. */
export function gridSearcher(params: readonly ParamSpec[]): Searcher {
  const axes = params.map((p) => ({ name: p.name, values: axisOf(p) }));
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  return {
    size,
    suggest(index) {
      if (index >= size) return null;
      const out: ParamSet = {};
      let rest = index;
      for (let i = axes.length - 1; i >= 0; i--) {
        const a = axes[i];
        out[a.name] = a.values[rest % a.values.length];
        rest = Math.floor(rest / a.values.length);
      }
      // Keep file order in the returned object.
      const ordered: ParamSet = {};
      for (const a of axes) ordered[a.name] = out[a.name];
      return ordered;
    },
  };
}

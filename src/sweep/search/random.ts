import { makeRng, mixSeed } from '../rng.js';
import { constantsOf, dimensionOf, type ParamSet, samplePrior } from '../space.js';
import type { ParamSpec } from '../spec.js';
import type { Searcher } from './types.js';

/** Independent draws from each parameter's distribution; trial i uses the stream seeded by (seed, i). */
export function randomSearcher(params: readonly ParamSpec[], seed: number): Searcher {
  const constants = constantsOf(params);
  return {
    size: Number.POSITIVE_INFINITY,
    suggest(index) {
      const rng = makeRng(mixSeed(seed, index));
      const out: ParamSet = {};
      for (const p of params) {
        const d = dimensionOf(p);
        out[p.name] = d === null ? constants[p.name] : samplePrior(d, rng);
      }
      return out;
    },
  };
}

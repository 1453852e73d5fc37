import type { SweepSpec } from '../spec.js';
import { gridSearcher } from './grid.js';
import { randomSearcher } from './random.js';
import { type TpeOptions, tpeSearcher } from './tpe.js';
import type { Searcher } from './types.js';

export type { Observation, Searcher } from './types.js';

/** The searcher for a sweep's `method`: grid → cartesian product, random → prior draws, bayes → TPE. */
export function makeSearcher(spec: Pick<SweepSpec, 'method' | 'parameters'>, seed: number, tpe?: TpeOptions): Searcher {
  switch (spec.method) {
    case 'grid':
      return gridSearcher(spec.parameters);
    case 'random':
      return randomSearcher(spec.parameters, seed);
    case 'bayes':
      return tpeSearcher(spec.parameters, seed, tpe);
  }
}

import type { ParamSet } from '../space.js';

/** A finished (or failed) trial as the samplers see it. */
export interface Observation {
  params: ParamSet;
  /** The objective as a loss (lower is better; maximised metrics are negated). null = failed, no value. */
  loss: number | null;
}

export interface Searcher {
  /** How many distinct trials the method can produce: the grid size, or Infinity. */
  readonly size: number;
  /**
   * The parameters of trial `index` (0-based) given the observations so far. Deterministic in (seed, index,
   * history), so a resumed sweep re-derives the same suggestions. Returns null when the space is exhausted.
   */
  suggest(index: number, history: readonly Observation[]): ParamSet | null;
}

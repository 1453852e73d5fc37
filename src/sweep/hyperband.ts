import type { HyperbandSpec } from './spec.js';

/**
 * Hyperband early termination as W&B sweeps apply it (Li et al., "Hyperband", JMLR 2018, arXiv:1603.06560;
 * W&B docs "early_terminate", and the bracket rule of github.com/wandb/sweeps hyperband_stopping.py):
 *
 * - Brackets are counts of reported values of the sweep metric (epochs here), not step numbers:
 *   `min_iter` gives [min_iter, min_iter·η, min_iter·η², …]; `max_iter` with `s` gives
 *   [⌊max_iter/η^s⌋, …, ⌊max_iter/η⌋] (values below 1 dropped). η defaults to 3.
 * - At bracket b the values of every trial that has reported at least b values (running, finished or stopped,
 *   including this one) are sorted best-first; the threshold is the one at index ⌊n/η⌋. A running trial whose
 *   b-th value is worse than the threshold is stopped. A trial is judged at the latest bracket it has reached, on
 *   every report, so thresholds that tighten later can still stop it (W&B re-checks periodically).
 * - One deliberate difference: the b-th value is the b-th report (1-based). W&B's code reads index b of the
 *   history, i.e. one report later.
 *
 * All values here are losses (lower is better): callers negate maximised metrics.
 */
export function hyperbandBrackets(spec: HyperbandSpec, limit = 1_000_000): number[] {
  const eta = spec.eta;
  const out: number[] = [];
  if (spec.min_iter !== undefined) {
    for (let b = spec.min_iter; b <= limit && out.length < 100; b *= eta) out.push(Math.floor(b));
  } else if (spec.max_iter !== undefined) {
    let b = spec.max_iter;
    for (let i = 0; i < (spec.s ?? 1); i++) {
      b /= eta;
      if (b < 1) break;
      out.push(Math.floor(b));
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** band → [trial index, loss at that band] for every trial that reached it. Small and JSON-serialisable. */
export type BandTable = Record<string, Array<[number, number]>>;

export interface HyperbandDecision {
  stop: boolean;
  /** The bracket judged (undefined before the first one). */
  band?: number;
  threshold?: number;
  value?: number;
}

/** Judge one trial from its own loss history and the others' values at each bracket. */
export function hyperbandDecide(
  brackets: readonly number[],
  eta: number,
  self: number,
  own: readonly number[],
  table: BandTable,
): HyperbandDecision {
  let band: number | undefined;
  for (const b of brackets) if (b <= own.length) band = b;
  if (band === undefined) return { stop: false };
  const value = own[band - 1];
  const others = (table[String(band)] ?? []).filter(([t]) => t !== self).map(([, v]) => v);
  const all = [...others, value].sort((a, b) => a - b);
  const threshold = all[Math.floor(all.length / eta)];
  return { stop: value > threshold, band, threshold, value };
}

/** Loss histories of every trial of a sweep; the runner's view, rebuilt from the store on resume. */
export class HyperbandState {
  readonly brackets: number[];
  readonly eta: number;
  readonly #histories = new Map<number, number[]>();

  constructor(spec: HyperbandSpec) {
    this.brackets = hyperbandBrackets(spec);
    this.eta = spec.eta;
  }

  /** Append the next loss of `trial`. */
  observe(trial: number, loss: number): void {
    const h = this.#histories.get(trial);
    if (h) h.push(loss);
    else this.#histories.set(trial, [loss]);
  }

  /** Forget a trial's history (it is being re-run from scratch). */
  reset(trial: number): void {
    this.#histories.delete(trial);
  }

  history(trial: number): readonly number[] {
    return this.#histories.get(trial) ?? [];
  }

  table(): BandTable {
    const t: BandTable = {};
    for (const b of this.brackets) {
      const rows: Array<[number, number]> = [];
      for (const [trial, h] of this.#histories) if (h.length >= b) rows.push([trial, h[b - 1]]);
      if (rows.length > 0) t[String(b)] = rows;
    }
    return t;
  }

  decide(trial: number): HyperbandDecision {
    return hyperbandDecide(this.brackets, this.eta, trial, this.history(trial), this.table());
  }
}

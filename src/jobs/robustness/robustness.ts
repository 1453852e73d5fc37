/**
 * Robustness curves: test accuracy of a trained checkpoint as its input drifts away from the training data —
 * Gaussian feature noise, a covariate shift of every feature, random edge removal and random edge addition.
 * The model is restored once; each perturbed graph gets its own sparse operators and is evaluated without dropout.
 */
import type { GraphData } from '../../data/graph.js';
import { Rng } from '../../engine/index.js';
import { GraphContext } from '../../nn/graph-context.js';
import { restoreTask } from '../../train/restore.js';
import { NodeClassificationTask } from '../../train/task.js';
import {
  addEdges,
  addGaussianNoise,
  featureStd,
  type PerturbationKind,
  removeEdges,
  shiftFeatures,
} from './perturb.js';

/** Perturbation levels per kind: noise and shift in feature standard deviations, edges as a fraction of |E|. */
export const defaultLevels: Record<PerturbationKind, number[]> = {
  noise: [0, 0.25, 0.5, 1, 2, 4],
  shift: [0, 0.25, 0.5, 1, 2],
  edge_removal: [0, 0.1, 0.25, 0.5, 0.75, 1],
  edge_addition: [0, 0.1, 0.25, 0.5, 1, 2],
};

export const perturbationLabels: Record<PerturbationKind, string> = {
  noise: 'Gaussian feature noise (σ in feature std)',
  shift: 'feature shift (in feature std)',
  edge_removal: 'edges removed (fraction of |E|)',
  edge_addition: 'random edges added (fraction of |E|)',
};

export interface RobustnessPoint {
  level: number;
  test_acc: number;
  test_loss: number;
}

export interface RobustnessResult {
  checkpoint: string;
  dataset: string;
  synthetic: boolean;
  model: string;
  split: number;
  seed: number;
  clean_test_acc: number;
  curves: Record<PerturbationKind, RobustnessPoint[]>;
}

export interface RobustnessOptions {
  split?: number;
  dataFile?: string;
  mirror?: string;
  seed?: number;
  levels?: Partial<Record<PerturbationKind, number[]>>;
  /** Called after each evaluated point (for a progress bar). */
  onPoint?(kind: PerturbationKind, level: number): void;
}

export async function measureRobustness(checkpoint: string, o: RobustnessOptions = {}): Promise<RobustnessResult> {
  const r = await restoreTask(checkpoint, { split: o.split, dataFile: o.dataFile, mirror: o.mirror });
  const seed = o.seed ?? 0;
  const levels = { ...defaultLevels, ...o.levels };
  const base = r.task;
  try {
    const evaluate = (g: GraphData): Omit<RobustnessPoint, 'level'> => {
      const graph = new GraphContext(base.tape.backend, g);
      const features = base.tape.tensor(g.features, [g.numNodes, g.numFeatures]);
      try {
        const task = new NodeClassificationTask({
          tape: base.tape,
          model: base.model,
          graph,
          data: g,
          features,
          split: base.split,
          train: base.train,
          rng: new Rng(seed),
        });
        const m = task.evaluate(['test']);
        return { test_acc: m.test_acc ?? Number.NaN, test_loss: m.test_loss ?? Number.NaN };
      } finally {
        features.dispose();
        graph.dispose();
      }
    };
    const std = featureStd(r.data);
    const make: Record<PerturbationKind, (level: number, s: number) => GraphData> = {
      noise: (l, s) => addGaussianNoise(r.data, l, std, s),
      shift: (l) => shiftFeatures(r.data, l, std),
      edge_removal: (l, s) => removeEdges(r.data, l, s),
      edge_addition: (l, s) => addEdges(r.data, l, s),
    };
    const clean = base.evaluate(['test']);
    const curves = {} as Record<PerturbationKind, RobustnessPoint[]>;
    for (const kind of Object.keys(make) as PerturbationKind[]) {
      curves[kind] = levels[kind].map((level, i) => {
        const point =
          level === 0
            ? { test_acc: clean.test_acc ?? Number.NaN, test_loss: clean.test_loss ?? Number.NaN }
            : evaluate(make[kind](level, seed * 1000 + i + 1));
        o.onPoint?.(kind, level);
        return { level, test_acc: point.test_acc, test_loss: point.test_loss };
      });
    }
    return {
      checkpoint,
      dataset: r.data.name,
      synthetic: Boolean(r.data.synthetic),
      model: r.ckpt.meta.model.name,
      split: base.split,
      seed,
      clean_test_acc: clean.test_acc ?? Number.NaN,
      curves,
    };
  } finally {
    r.dispose();
  }
}

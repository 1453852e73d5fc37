/**
 * Fixtures for the nn and train tests: a small WikiCS-format synthetic graph from the project's generator (purpose:
 * a real 20-split protocol with stopping masks on a graph small enough for the reference kernels), and a config
 * resolved through the one schema with the reference backend.
 */
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import type { GraphData } from '../../src/data/graph.js';
import { generateSynthetic } from '../../src/data/synth.js';
import { createBackend, Rng, Tape } from '../../src/engine/index.js';
import { GraphContext } from '../../src/nn/graph-context.js';
import { buildModel } from '../../src/nn/models/build.js';
import type { NodeModel } from '../../src/nn/models/model.js';
import { NodeClassificationTask } from '../../src/train/task.js';

const cache = new Map<string, GraphData>();

export function tinyGraph(nodes = 240, features = 12, seed = 3): GraphData {
  const key = `${nodes}/${features}/${seed}`;
  let g = cache.get(key);
  if (!g) {
    const json = JSON.parse(JSON.stringify(generateSynthetic({ nodes, features, seed })));
    g = wikicsFromJson(json, { name: 'tiny' });
    cache.set(key, g);
  }
  return g;
}

/** Defaults ← overrides, on the reference kernels. */
export function testConfig(overrides: string[] = []): Config {
  return resolveConfig({ overrides: ['train.backend=reference', 'train.threads=1', ...overrides] });
}

export const refBackend = createBackend({ name: 'reference', dtype: 'f32' });

export interface TaskSetup {
  tape: Tape;
  model: NodeModel;
  task: NodeClassificationTask;
  dispose(): void;
}

/** A task for split 0 of `data` with the model the config names, weights seeded by train.seed. */
export function makeTask(cfg: Config, data: GraphData = tinyGraph(), split = 0): TaskSetup {
  const tape = new Tape(refBackend);
  const rng = new Rng(cfg.train.seed);
  const model = buildModel(tape, rng, cfg.model, { numFeatures: data.numFeatures, numClasses: data.numClasses });
  const graph = new GraphContext(refBackend, data);
  const features = tape.tensor(data.features, [data.numNodes, data.numFeatures]);
  const task = new NodeClassificationTask({ tape, model, graph, data, features, split, train: cfg.train, rng });
  return {
    tape,
    model,
    task,
    dispose() {
      model.dispose();
      features.dispose();
      graph.dispose();
    },
  };
}

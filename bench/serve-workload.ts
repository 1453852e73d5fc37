/**
 * Shared request bodies for the serving benchmarks (not a benchmark itself: run.ts lists it, but it only exports).
 * The subgraph imitates the common `{x, edge_index}` client: 20 nodes with 300 GloVe-like features (6 decimals) and a
 * ring plus chords in both directions (80 directed edges).
 */
import { requestEdges } from '../src/jobs/optimize/request-edges.js';
import { mulberry32 } from '../src/util/random.js';
export const F = 300;
export const C = 10;

const rng = mulberry32;

export function subgraph(n = 20, seed = 7): { x: number[][]; edge_index: [number[], number[]] } {
  const r = rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: F }, () => Math.round((r() * 2 - 1) * 1e6) / 1e6));
  return { x, edge_index: requestEdges(n) };
}

export function v2Body(sg = subgraph()): unknown {
  return {
    inputs: [
      { name: 'x', shape: [sg.x.length, F], datatype: 'FP32', data: sg.x.flat() },
      { name: 'edge_index', shape: [2, sg.edge_index[0].length], datatype: 'INT64', data: sg.edge_index.flat() },
    ],
  };
}

/** Workload env for serve-child.ts: a WikiCS-sized stored graph (11,701 nodes, ~37 in-neighbours each). */
export const fixtureEnv = {
  FIXTURE_FEATURES: String(F),
  FIXTURE_CLASSES: String(C),
  FIXTURE_NODES: '11701',
  FIXTURE_DEGREE: '36',
};

export default async function (): Promise<void> {
  console.error('serve-workload only provides request bodies to loadtest.ts and faults.ts');
}

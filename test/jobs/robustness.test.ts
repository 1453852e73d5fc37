import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { wikicsFromJson } from '../../src/data/datasets/wikics.js';
import { numEdgeEntries } from '../../src/data/graph.js';
import { generateSynthetic } from '../../src/data/synth.js';
import {
  addEdges,
  addGaussianNoise,
  featureStd,
  removeEdges,
  shiftFeatures,
} from '../../src/jobs/robustness/perturb.js';

// A small generated WikiCS-format graph: enough nodes for the perturbation statistics to be tight.
const g = wikicsFromJson(JSON.parse(JSON.stringify(generateSynthetic({ nodes: 600, seed: 11 }))), {
  name: 'synthetic',
});

function columnMeanStd(x: Float32Array, n: number, f: number, j: number): [number, number] {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i * f + j];
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i * f + j] - m) ** 2;
  return [m, Math.sqrt(v / (n - 1))];
}

test('Gaussian noise adds level·std per feature and leaves the original untouched', () => {
  const std = featureStd(g);
  const before = new Float32Array(g.features);
  const noisy = addGaussianNoise(g, 2, std, 1);
  assert.deepEqual(g.features, before);
  const diff = new Float32Array(noisy.features.length);
  for (let k = 0; k < diff.length; k++) diff[k] = noisy.features[k] - g.features[k];
  for (const j of [0, 17, 299]) {
    const [m, s] = columnMeanStd(diff, g.numNodes, g.numFeatures, j);
    assert.ok(Math.abs(s / (2 * std[j]) - 1) < 0.1, `feature ${j}: noise std ${s} vs ${2 * std[j]}`);
    assert.ok(Math.abs(m) < 0.2 * 2 * std[j], `feature ${j}: noise mean ${m}`);
  }
});

test('feature shift moves every column mean by level·std and keeps its spread', () => {
  const std = featureStd(g);
  const shifted = shiftFeatures(g, 1.5, std);
  for (const j of [3, 150]) {
    const [m0, s0] = columnMeanStd(g.features, g.numNodes, g.numFeatures, j);
    const [m1, s1] = columnMeanStd(shifted.features, g.numNodes, g.numFeatures, j);
    assert.ok(Math.abs(m1 - m0 - 1.5 * std[j]) < 1e-4 * (1 + Math.abs(m0)), `mean ${m0} -> ${m1}`);
    assert.ok(Math.abs(s1 - s0) < 1e-4 * (1 + s0), `std ${s0} -> ${s1}`);
  }
});

function isSymmetric(indptr: Int32Array, indices: Int32Array, n: number): boolean {
  const set = new Set<string>();
  for (let u = 0; u < n; u++) for (let e = indptr[u]; e < indptr[u + 1]; e++) set.add(`${u},${indices[e]}`);
  for (const key of set) {
    const [u, v] = key.split(',');
    if (!set.has(`${v},${u}`)) return false;
  }
  return true;
}

test('edge removal drops about the asked fraction of undirected edges, symmetrically', () => {
  const before = numEdgeEntries(g);
  const half = removeEdges(g, 0.5, 3);
  const ratio = numEdgeEntries(half) / before;
  assert.ok(ratio > 0.45 && ratio < 0.55, `kept ${ratio}`);
  assert.ok(isSymmetric(half.indptr, half.indices, g.numNodes));
  assert.equal(numEdgeEntries(removeEdges(g, 1, 3)), 0);
  assert.equal(numEdgeEntries(removeEdges(g, 0, 3)), before - g.selfLoops);
});

test('edge addition adds fraction·|E| random pairs, symmetrically', () => {
  const before = numEdgeEntries(g);
  const more = addEdges(g, 1, 5);
  const ratio = numEdgeEntries(more) / before;
  // Random pairs rarely coincide with existing edges, so the count roughly doubles.
  assert.ok(ratio > 1.85 && ratio <= 2.01, `grew by ${ratio}`);
  assert.ok(isSymmetric(more.indptr, more.indices, g.numNodes));
});

test('gnnops robustness: curves, JSON table and a tracked run from a trained checkpoint', () => {
  const home = mkdtempSync(join(tmpdir(), 'gnnops-rob-'));
  const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });
  const data = join(home, 'g.json');
  cli('data', 'synth', '--out', data, '--nodes', '400', '--seed', '3');
  const trained = JSON.parse(
    cli('train', `data.file=${data}`, 'train.splits=1', 'train.epochs=80', 'train.patience=80', '--json'),
  ) as { run_id: string };
  assert.ok(trained.run_id);
  const ckptDir = join(home, 'models');
  const ckpt = readdirSync(ckptDir, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.safetensors'));
  assert.ok(ckpt, 'train wrote a checkpoint');
  const out = join(home, 'rob');
  const r = JSON.parse(cli('robustness', '--checkpoint', join(ckptDir, ckpt), '--out', out, '--json')) as {
    clean_test_acc: number;
    curves: Record<string, { level: number; test_acc: number }[]>;
    run_id: string;
  };
  assert.deepEqual(Object.keys(r.curves).sort(), ['edge_addition', 'edge_removal', 'noise', 'shift']);
  for (const points of Object.values(r.curves)) assert.equal(points[0].test_acc, r.clean_test_acc);
  // The trained model is well above chance (10 classes); a shift of 2 std and doubling the edges with random
  // pairs must both cost accuracy.
  assert.ok(r.clean_test_acc > 0.4, `clean accuracy ${r.clean_test_acc}`);
  const last = (k: string) => r.curves[k][r.curves[k].length - 1].test_acc;
  assert.ok(last('shift') < r.clean_test_acc - 0.1, `shift ${last('shift')}`);
  assert.ok(last('edge_addition') < r.clean_test_acc - 0.05, `edge addition ${last('edge_addition')}`);
  const table = JSON.parse(readFileSync(join(out, 'robustness.json'), 'utf8')) as { curves: unknown };
  assert.deepEqual(table.curves, r.curves);
  for (const kind of ['noise', 'shift', 'edge-removal', 'edge-addition'])
    assert.ok(existsSync(join(out, `robustness-${kind}.svg`)), kind);
  const shown = JSON.parse(cli('runs', 'show', r.run_id, '--json')) as { artifacts?: { name: string }[] };
  assert.ok(JSON.stringify(shown).includes('robustness.json'), 'the table is a run artifact');
});

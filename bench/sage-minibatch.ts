/**
 * Mini-batch GraphSAGE, gnnops vs PyTorch 1.13 (bench/torch_sage_minibatch.py), side by side in one run.
 *
 * The graph: `generateSynthetic` (the `gnnops data synth` generator) at ogbn-arxiv's size, 169,343 nodes and 128
 * features, about 14 undirected edge entries per node (arxiv: 13.7), no self-loops, with arxiv's split shares
 * (54% train, 18% val, 28% test, drawn with a fixed seed). It is written once as raw little-endian arrays that both
 * sides read. Both train the same 2-layer mean-SAGE (hidden 256, dropout 0.5, Adam lr 0.003) with batch 1024 and
 * fanouts 15,10 (PyG num_neighbors order), then evaluate with layer-wise full-neighbourhood inference.
 * Runs alternate (ours, torch, ours, torch …) under `/usr/bin/time -v` for peak RSS.
 *
 *   npm run bench -- sage-minibatch [--nodes 169343] [--epochs 3] [--reps 1] [--threads 2] [--workers 1]
 *
 * The child modes (`--child ours`) are how the driver runs our side in its own process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/load.js';
import { wikicsFromJson } from '../src/data/datasets/wikics.js';
import type { GraphData } from '../src/data/graph.js';
import { NeighborLoader } from '../src/data/neighbor-loader.js';
import { generateSynthetic } from '../src/data/synth.js';
import { Rng, setBackend, Tape } from '../src/engine/index.js';
import { GraphContext } from '../src/nn/graph-context.js';
import { buildModel } from '../src/nn/models/build.js';
import { resolveBatching } from '../src/train/minibatch.js';
import { NodeClassificationTask } from '../src/train/task.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = '/usr/bin/python3';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

/** Writes the graph as raw arrays (once per node count); returns the folder. */
function prepare(nodes: number): string {
  const dir = resolve(root, `.gnnops/bench/sage-minibatch-${nodes}`);
  if (existsSync(resolve(dir, 'meta.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const json = generateSynthetic({ nodes, features: 128, seed: 5, avgDegree: 7, selfLoopRate: 0, splits: 1 });
  const g = wikicsFromJson(json, { name: 'arxiv-shape' });
  const rng = new Rng(17);
  const order = Int32Array.from({ length: nodes }, (_, i) => i);
  for (let i = nodes - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const part = new Uint8Array(nodes); // 0 train, 1 val, 2 test
  const nTrain = Math.round(0.54 * nodes);
  const nVal = Math.round(0.18 * nodes);
  for (let k = 0; k < nodes; k++) part[order[k]] = k < nTrain ? 0 : k < nTrain + nVal ? 1 : 2;
  const write = (name: string, a: ArrayBufferView) =>
    writeFileSync(resolve(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  write('indptr.i32', g.indptr);
  write('indices.i32', g.indices);
  write('features.f32', g.features);
  write('labels.i32', g.labels);
  write('part.u8', part);
  writeFileSync(
    resolve(dir, 'meta.json'),
    JSON.stringify({ numNodes: nodes, numFeatures: g.numFeatures, numClasses: g.numClasses, edges: g.indices.length }),
  );
  console.error(`wrote ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${g.indices.length} edge entries)`);
  return dir;
}

function readGraph(dir: string): GraphData {
  const meta = JSON.parse(readFileSync(resolve(dir, 'meta.json'), 'utf8')) as {
    numNodes: number;
    numFeatures: number;
    numClasses: number;
  };
  const view = <T>(name: string, make: (b: ArrayBuffer) => T): T => {
    const b = readFileSync(resolve(dir, name));
    return make(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  };
  const part = view('part.u8', (b) => new Uint8Array(b));
  const mask = (p: number) => part.map((v) => (v === p ? 1 : 0));
  const val = mask(1);
  return {
    name: 'arxiv-shape',
    numNodes: meta.numNodes,
    numFeatures: meta.numFeatures,
    numClasses: meta.numClasses,
    features: view('features.f32', (b) => new Float32Array(b)),
    labels: view('labels.i32', (b) => new Int32Array(b)),
    indptr: view('indptr.i32', (b) => new Int32Array(b)),
    indices: view('indices.i32', (b) => new Int32Array(b)),
    undirected: true,
    selfLoops: 0,
    splits: [{ train: mask(0), val, stopping: val }],
    testMask: mask(2),
    stoppingMask: 'val',
    hash: 'bench',
    synthetic: true,
  };
}

/** Our side: the task's batch step over the loader's batches (what the Trainer runs), then layer-wise evaluation. */
function childOurs(args: string[]): void {
  const data = readGraph(arg(args, 'dir', ''));
  const epochs = Number(arg(args, 'epochs', '3'));
  const config = resolveConfig({
    overrides: [
      'model.name=sage',
      'model.hidden=256',
      'model.layers=2',
      'model.dropout=0.5',
      'train.lr=0.003',
      'train.weight_decay=0',
      'train.batch_size=1024',
      'train.fanouts=15,10',
      `train.sampler_workers=${arg(args, 'workers', '1')}`,
      `train.threads=${arg(args, 'threads', '2')}`,
    ],
  });
  const backend = setBackend({ name: 'wasm', threads: config.train.threads });
  const tape = new Tape(backend);
  const rng = new Rng(0);
  const model = buildModel(tape, rng, config.model, { numFeatures: data.numFeatures, numClasses: data.numClasses });
  const batching = resolveBatching(config, data);
  if (!batching) throw new Error('expected mini-batch settings');
  const loader = new NeighborLoader({
    graph: data,
    fanouts: batching.fanouts,
    batchSize: batching.batchSize,
    workers: batching.workers,
  });
  const graph = new GraphContext(backend, data);
  const features = tape.zeros([0, data.numFeatures]); // the mini-batch path gathers rows from data.features
  const task = new NodeClassificationTask({
    tape,
    model,
    graph,
    data,
    features,
    split: 0,
    train: config.train,
    rng,
    minibatch: { batching, loader, seed: 0 },
  });
  const epochMs: number[] = [];
  let edges = 0;
  let batches = 0;
  let waitMs = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const it = task.trainBatches(e)[Symbol.iterator]();
    for (;;) {
      const tw = performance.now();
      const n = it.next();
      waitMs += performance.now() - tw;
      if (n.done) break;
      const r = task.batchStep(n.value);
      edges += r.edges;
      batches++;
    }
    epochMs.push(performance.now() - t0);
  }
  const t1 = performance.now();
  const ev = task.evaluate(['val', 'test']);
  const evalMs = performance.now() - t1;
  const total = epochMs.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      epoch_ms: epochMs,
      epoch_ms_median: median(epochMs),
      batches_per_s: (batches / total) * 1000,
      sampled_edges_per_s: (edges / total) * 1000,
      sample_wait_share: waitMs / total,
      eval_ms: evalMs,
      val_acc: ev.val_acc,
      test_acc: ev.test_acc,
    }),
  );
  void loader.close();
}

function timed(cmd: string, argv: string[]): { out: Record<string, unknown>; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...argv], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GNNOPS_LOG_LEVEL: 'silent' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return { out: JSON.parse(line) as Record<string, unknown>, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN };
}

export default async function main(args: string[]): Promise<void> {
  if (arg(args, 'child', '') === 'ours') return childOurs(args);
  const nodes = Number(arg(args, 'nodes', '169343'));
  const epochs = arg(args, 'epochs', '3');
  const reps = Number(arg(args, 'reps', '1'));
  const threads = arg(args, 'threads', '2');
  const workers = arg(args, 'workers', '1');
  const dir = prepare(nodes);
  const rows: { side: string; rep: number; rssMb: number; [k: string]: unknown }[] = [];
  const load0 = loadavg()[0];
  for (let rep = 0; rep < reps; rep++) {
    const o = timed(process.execPath, [
      '--import',
      'tsx',
      'bench/run.ts',
      'sage-minibatch',
      '--child',
      'ours',
      '--dir',
      dir,
      '--epochs',
      epochs,
      '--threads',
      threads,
      '--workers',
      workers,
    ]);
    rows.push({ side: 'gnnops', rep, rssMb: o.rssMb, ...o.out });
    console.error(`gnnops rep ${rep}: ${JSON.stringify(o.out)} rss ${o.rssMb.toFixed(0)} MB`);
    const t = timed(python, ['bench/torch_sage_minibatch.py', '--dir', dir, '--epochs', epochs, '--threads', threads]);
    rows.push({ side: 'torch', rep, rssMb: t.rssMb, ...t.out });
    console.error(`torch rep ${rep}: ${JSON.stringify(t.out)} rss ${t.rssMb.toFixed(0)} MB`);
  }
  const pick = (side: string, k: string) => rows.filter((r) => r.side === side).map((r) => Number(r[k]));
  const ours = median(pick('gnnops', 'epoch_ms_median'));
  const theirs = median(pick('torch', 'epoch_ms_median'));
  console.log(
    JSON.stringify(
      {
        nodes,
        epochs: Number(epochs),
        threads: Number(threads),
        sampler_workers: Number(workers),
        loadavg_start: load0,
        loadavg_end: loadavg()[0],
        ours_epoch_ms: ours,
        torch_epoch_ms: theirs,
        ratio: ours / theirs,
        rows,
      },
      null,
      2,
    ),
  );
}

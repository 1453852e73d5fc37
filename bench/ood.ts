/**
 * Does the per-node OOD score separate shifted from clean requests? `npm run bench -- ood [--requests 300]
 * [--seeds 3]` on the real Cora (../shared/data/cora).
 *
 * - Model: the gcn-planetoid preset (Kipf & Welling's GCN) trained once per seed, served natively.
 * - Traffic: 2-hop ego subgraphs (≤ 200 nodes) rooted at random nodes, as `gnnops drift simulate` sends them: clean,
 *   and with each drift of src/monitor/simulate.ts applied to every node of the request (feature shift of k feature
 *   stds on a share of the columns, Gaussian noise of k stds), or each node's words moved to random columns.
 * - Scores per node, from the served subgraph forward: MSP (1 − max softmax probability, the usual baseline),
 *   the energy −logsumexp(logits) (K = 0), and GNNSafe's propagated energy (K = 2, α = 0.5, the served default).
 * - AUROC of shifted against clean (higher score = out-of-distribution): per node, and per request (the mean over its
 *   nodes). Below 0.5 means the shifted requests score as MORE in-distribution than clean ones.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/load.js';
import { loadDataset } from '../src/data/load.js';
import { createBackend, Rng, softmaxRows, Tape } from '../src/engine/index.js';
import { auroc, energyScores, propagateEnergy } from '../src/monitor/ood.js';
import { makeRequestSampler, type SimulateSpec } from '../src/monitor/simulate.js';
import { saveCheckpoint } from '../src/nn/checkpoint.js';
import { buildModel } from '../src/nn/models/build.js';
import { loadPredictor } from '../src/serve/native/predictor.js';
import { runProtocol } from '../src/train/protocol.js';
import { mulberry32 } from '../src/util/random.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}

const coraRaw = resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/data/cora/raw/planetoid');

/** A drift of the request's features beyond simulate.ts: row-wise, with its own seeded generator. */
type Transform = (row: number[], rand: () => number) => number[];

// Each node's feature values moved to random columns (the same values, so the same row sums and sparsity): the
// words of a document replaced by random words.
const shuffleColumns: Transform = (row, rand) => {
  const out = new Array<number>(row.length).fill(0);
  const free = Array.from({ length: row.length }, (_, i) => i);
  for (const v of row.filter((u) => u !== 0)) {
    const k = Math.floor(rand() * free.length);
    out[free[k]] = v;
    free[k] = free[free.length - 1];
    free.pop();
  }
  return out;
};

const SCENARIOS: [string, SimulateSpec, Transform?][] = [
  ['shift +0.5 std, 50% of columns', { shift: 0.5, fraction: 0.5 }],
  ['shift +1 std, 50% of columns', { shift: 1, fraction: 0.5 }],
  ['shift +2 std, all columns', { shift: 2, fraction: 1 }],
  ['noise 1 std, all columns', { noise: 1, fraction: 1 }],
  ['noise 3 std, all columns', { noise: 3, fraction: 1 }],
  ['random words (each row’s values in random columns)', {}, shuffleColumns],
];

type Scores = { msp: number[]; energy: number[]; gnnsafe: number[] };
const empty = (): Scores => ({ msp: [], energy: [], gnnsafe: [] });

export default async function (args: string[]): Promise<void> {
  const requests = Number(arg(args, 'requests', '300'));
  const seeds = Number(arg(args, 'seeds', '3'));
  process.env.GNNOPS_HOME ??= mkdtempSync(join(tmpdir(), 'gnnops-bench-ood-'));
  const cfg0 = resolveConfig({ preset: 'gcn-planetoid', overrides: ['train.seeds=1', 'train.threads=1'] });
  const data = await loadDataset(cfg0.data, { mirror: coraRaw, progress: false });
  const C = data.numClasses;
  const rows: Record<string, { node: Scores; request: Scores }[]> = {};
  const accs: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const cfg = resolveConfig({
      preset: 'gcn-planetoid',
      overrides: ['train.seeds=1', 'train.threads=1', `train.seed=${seed}`],
    });
    const backend = createBackend({ name: 'wasm', threads: 1 });
    const r = runProtocol({ config: cfg, data, backend });
    accs.push(r.runs[0].final.test_acc);
    const tape = new Tape(backend);
    const model = buildModel(tape, new Rng(0), cfg.model, { numFeatures: data.numFeatures, numClasses: C });
    model.loadStateDict(r.best.state);
    const path = join(process.env.GNNOPS_HOME, `cora-${seed}.safetensors`);
    saveCheckpoint(path, model, {
      model: cfg.model,
      config: cfg,
      dims: { numFeatures: data.numFeatures, numClasses: C },
      dataset: { name: data.name, hash: data.hash },
      split: 0,
      metrics: {},
    });
    model.dispose();
    const p = loadPredictor(path);

    /** Scores of `requests` requests drawn with `spec` (seeded per scenario, the same roots for every scenario). */
    const run = (spec: SimulateSpec, transform?: Transform) => {
      const next = makeRequestSampler(data, { ...spec, seed: 100 + seed });
      const rand = mulberry32(200 + seed);
      const node = empty();
      const request = empty();
      for (let q = 0; q < requests; q++) {
        const req = next();
        const n = req.x.length;
        const x = Float32Array.from((transform ? req.x.map((row) => transform(row, rand)) : req.x).flat());
        const src = Int32Array.from(req.edge_index[0]);
        const dst = Int32Array.from(req.edge_index[1]);
        const z = p.logitsSubgraph(x, n, src, dst);
        const prob = softmaxRows(z, n, C);
        const e = energyScores(z, n, C);
        const g = propagateEnergy(e, src, dst);
        const s: Scores = empty();
        for (let i = 0; i < n; i++) {
          let m = 0;
          for (let c = 0; c < C; c++) m = Math.max(m, prob[i * C + c]);
          s.msp.push(1 - m);
          s.energy.push(e[i]);
          s.gnnsafe.push(g[i]);
        }
        for (const k of ['msp', 'energy', 'gnnsafe'] as const) {
          node[k].push(...s[k]);
          request[k].push(s[k].reduce((a, b) => a + b, 0) / n);
        }
      }
      return { node, request };
    };
    const clean = run({});
    for (const [name, spec, transform] of SCENARIOS) {
      const shifted = run(spec, transform);
      rows[name] ??= [];
      rows[name].push({ node: shifted.node, request: shifted.request });
    }
    rows.clean ??= [];
    rows.clean.push(clean);
    p.close?.();
  }
  console.log(
    `Cora, gcn-planetoid, ${seeds} seeds (test accuracy ${accs.map((a) => a.toFixed(3)).join(', ')}), ${requests} clean and ${requests} shifted requests per scenario and seed`,
  );
  console.log(
    '| scenario | per node: MSP | energy (K = 0) | GNNSafe (K = 2, α = 0.5) | per request: MSP | energy | GNNSafe |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const fmt = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return xs.length > 1 ? `${m.toFixed(3)} (${lo.toFixed(3)}–${hi.toFixed(3)})` : m.toFixed(3);
  };
  for (const [name] of SCENARIOS) {
    const cells: string[] = [];
    for (const level of ['node', 'request'] as const) {
      for (const k of ['msp', 'energy', 'gnnsafe'] as const) {
        cells.push(fmt(rows[name].map((r, s) => auroc(r[level][k], rows.clean[s][level][k]))));
      }
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  process.exit(0);
}

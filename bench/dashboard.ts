/**
 * Dashboard API latency at WikiCS size: `npm run bench -- dashboard [--nodes 11701] [--epochs 30]`.
 *
 * A synthetic WikiCS-shaped graph (`gnnops data synth`'s generator; NOT the real dataset) is written to a temp
 * workspace, a GCN is trained on it with the real pipeline (1 split) and registered, and the server app is built
 * with that model. Then, through `inject` (no socket): the first (uncached) and repeated calls of stats and the
 * three projections, 2-hop neighbourhoods of 200 random nodes at the default cap (150) and the maximum (500),
 * and title searches. Prints one table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/load.js';
import { loadDataset } from '../src/data/load.js';
import { writeSynthetic } from '../src/data/synth.js';
import { buildServeApp } from '../src/jobs/serve-app.js';
import { runTraining } from '../src/jobs/train-and-register.js';
import { Registry } from '../src/registry/index.js';
import { lineageOf } from '../src/serve/loader.js';
import { loadPredictor } from '../src/serve/native/predictor.js';
import { openStore } from '../src/track/index.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

export default async function dashboardBench(args: string[]): Promise<void> {
  const nodes = arg(args, 'nodes', 11701);
  const epochs = arg(args, 'epochs', 30);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-bench-dash-'));
  process.env.GNNOPS_HOME = home;
  try {
    const file = join(home, 'synth', 'synth-wikics.json');
    writeSynthetic(file, { nodes, seed: 1, splits: 1 });
    writeFileSync(
      join(home, 'synth', 'metadata.json'),
      JSON.stringify({ nodes: Array.from({ length: nodes }, (_, i) => ({ title: `Synthetic article ${i}` })) }),
    );
    const config = resolveConfig({ overrides: [`data.file=${file}`, 'train.splits=1', `train.epochs=${epochs}`] });
    const graph = await loadDataset(config.data, { progress: false });
    let t = performance.now();
    const report = await runTraining({ config, data: graph });
    const trainMs = performance.now() - t;
    const store = await openStore({ home, recover: false });
    const v = await new Registry(store).getVersion(report.model_name, report.model_version ?? 1);
    await store.close();
    t = performance.now();
    const model = loadPredictor(v.checkpointPath, graph, {
      name: v.model,
      version: String(v.version),
      info: { metrics: v.metrics, lineage: lineageOf(v) },
    });
    const loadMs = performance.now() - t;
    const s = await buildServeApp({ model, defaultMetrics: false, config: { log_requests: false } });
    const rows: [string, string][] = [
      ['graph', `${graph.numNodes} nodes, ${graph.indptr[graph.numNodes]} edge entries, ${graph.numFeatures} features`],
      ['train (pipeline, 1 split)', `${(trainMs / 1000).toFixed(1)} s; test acc ${report.test_acc_mean.toFixed(3)}`],
      ['model load (full-graph pass)', `${loadMs.toFixed(0)} ms`],
    ];
    const time = async (url: string) => {
      const t0 = performance.now();
      const r = await s.app.inject(url);
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      return { ms: performance.now() - t0, bytes: r.body.length };
    };
    for (const url of [
      '/api/data/stats',
      '/api/data/projection?source=hidden',
      '/api/data/projection?source=output',
      '/api/data/projection?source=features',
    ]) {
      const first = await time(url);
      const again = await time(url);
      rows.push([
        `GET ${url}`,
        `first ${first.ms.toFixed(0)} ms, cached ${again.ms.toFixed(1)} ms, ${(first.bytes / 1024).toFixed(0)} KiB`,
      ]);
    }
    for (const cap of [150, 500]) {
      const ms: number[] = [];
      let bytes = 0;
      for (let k = 0; k < 200; k++) {
        const node = (k * 7919) % graph.numNodes;
        const r = await time(`/api/graph/neighbourhood?node=${node}&hops=2&max_nodes=${cap}`);
        ms.push(r.ms);
        bytes += r.bytes;
      }
      rows.push([
        `neighbourhood 2 hops, cap ${cap} (200 nodes)`,
        `p50 ${q(ms, 0.5).toFixed(1)} ms, p99 ${q(ms, 0.99).toFixed(1)} ms, mean ${(bytes / 200 / 1024).toFixed(0)} KiB`,
      ]);
    }
    const ms: number[] = [];
    for (let k = 0; k < 50; k++) ms.push((await time(`/api/graph/search?q=article%20${k * 37}`)).ms);
    rows.push(['title search (50 queries)', `p50 ${q(ms, 0.5).toFixed(2)} ms, p99 ${q(ms, 0.99).toFixed(2)} ms`]);
    await s.app.close();
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, val] of rows) console.log(`${k.padEnd(w)}  ${val}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Label-free accuracy estimate against the truth: a GCN trained on the real Cora (gcn-planetoid preset, one seed)
 * and registered (temperature fitted on the validation mask), served over HTTP with the request log on, and driven
 * by `drift simulate`'s sampler with ego subgraphs of the served graph, where every node's label is known. Per
 * scenario: the estimate the server reports (GET /api/drift/accuracy over that scenario's requests, so from the
 * request log), the realised accuracy of the same answers against Cora's labels, and the estimate from the raw
 * (T = 1) confidences of the same answers for comparison.
 *
 * Combined with the OOD score (requests ask for `ood_score`): (a) the drift test the drift report runs on the
 * window's per-request mean scores against the version's registered reference, which marks the estimate unreliable
 * when it fires (withOodCheck in monitor/drift-report.ts); (b) a correction tried here only: nodes whose score falls
 * outside the central 98% of the reference's per-node scores (500 clean reference subgraphs, scored here) count at
 * chance accuracy 1/C instead of their confidence.
 *
 *   npm run bench -- estimate [--requests 400] [--max-nodes 200] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/load.js';
import { loadDataset } from '../src/data/load.js';
import { parseDatabaseUrl } from '../src/db/index.js';
import { buildServeApp } from '../src/jobs/serve-app.js';
import { runTraining } from '../src/jobs/train-and-register.js';
import { oodReport } from '../src/monitor/drift-report.js';
import { openLogStore } from '../src/monitor/log-store.js';
import { oodScores } from '../src/monitor/ood.js';
import { parseProfile } from '../src/monitor/profile-io.js';
import { makeRequestSampler, type SimulateSpec } from '../src/monitor/simulate.js';
import { registeredTemperature } from '../src/registry/calibration.js';
import { Registry } from '../src/registry/index.js';
import { lineageOf } from '../src/serve/loader.js';
import { loadPredictor } from '../src/serve/native/predictor.js';
import { openStore } from '../src/track/index.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

const coraRaw = resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/data/cora/raw/planetoid');

const SCENARIOS: [string, SimulateSpec][] = [
  ['clean', {}],
  ['shift 0.5 std, all features', { shift: 0.5 }],
  ['shift 1 std, all features', { shift: 1 }],
  ['shift 2 std, all features', { shift: 2 }],
  ['noise 1 std, all features', { noise: 1 }],
  ['noise 3 std, all features', { noise: 3 }],
  ['noise 3 std, 20% of features', { noise: 3, fraction: 0.2 }],
  ['class mix: 60% rooted at class 0', { classMix: 0.6, toClass: 0 }],
  ['class mix: 60% rooted at class 3', { classMix: 0.6, toClass: 3 }],
];

const pct = (x: number) => (x * 100).toFixed(1);

export default async function estimateBench(args: string[]): Promise<void> {
  const requests = arg(args, 'requests', 400);
  const maxNodes = arg(args, 'max-nodes', 200);
  const seed = arg(args, 'seed', 1);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-bench-estimate-'));
  process.env.GNNOPS_HOME = home;
  try {
    const config = resolveConfig({ preset: 'gcn-planetoid', overrides: ['train.seeds=1'] });
    const graph = await loadDataset(config.data, { mirror: coraRaw, progress: false });
    const report = await runTraining({ config, data: graph });
    const store = await openStore({ home, recover: false });
    const logStore = await openLogStore(parseDatabaseUrl('sqlite:', home));
    const v = await new Registry(store).getVersion(report.model_name, report.model_version ?? 1);
    const T = registeredTemperature(v) ?? 1;
    // as the loader builds a registry-served model: the version's metrics and its fitted temperature
    const model = loadPredictor(v.checkpointPath, graph, {
      name: v.model,
      version: String(v.version),
      info: { metrics: v.metrics, lineage: lineageOf(v) },
      temperature: T,
    });
    if (!v.referenceProfileDigest) throw new Error('the registered version has no reference profile');
    const profile = parseProfile(store.cas.read(v.referenceProfileDigest).toString('utf8'));
    // per-node reference scores for the gate: every node of the clean reference subgraphs, as the server scores them
    const refNodes: number[] = [];
    const refNext = makeRequestSampler(graph, { seed: 12345, maxNodes });
    for (let i = 0; i < 500; i++) {
      const q = refNext();
      const src = Int32Array.from(q.edge_index[0]);
      const dst = Int32Array.from(q.edge_index[1]);
      const z = model.logitsSubgraph(Float32Array.from(q.x.flat()), q.x.length, src, dst);
      for (const sc of oodScores(z, graph.numClasses, src, dst)) refNodes.push(sc);
    }
    refNodes.sort((a, b) => a - b);
    const gate = [
      refNodes[Math.floor(0.01 * (refNodes.length - 1))],
      refNodes[Math.ceil(0.99 * (refNodes.length - 1))],
    ];
    const s = await buildServeApp({
      model,
      defaultMetrics: false,
      logStore,
      config: { log_flush_ms: 10 },
      dashboard: { home, loadGraph: async () => graph },
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = s.app.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    console.log(
      `Cora: ${graph.numNodes} nodes; ${v.model}/${v.version} test acc ${pct(Number(v.metrics.test_acc))}%, ` +
        `fitted T = ${T.toFixed(3)}; ${requests} requests per scenario, 2-hop ego subgraphs capped at ${maxNodes} nodes`,
    );
    const rows: string[][] = [];
    for (const [name, spec] of SCENARIOS) {
      const next = makeRequestSampler(graph, { ...spec, maxNodes, seed });
      let n = 0;
      let right = 0;
      let rawSum = 0;
      let servedSum = 0;
      let gatedSum = 0;
      let outside = 0;
      const requestMeans: number[] = [];
      for (let i = 0; i < requests; i++) {
        const { root: _root, nodes, ...body } = next();
        const r = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, ood_score: true }),
        });
        if (!r.ok) throw new Error(`/predict answered ${r.status}: ${await r.text()}`);
        const j = (await r.json()) as { node_predictions: number[]; probabilities: number[][]; ood_score: number[] };
        requestMeans.push(j.ood_score.reduce((a, b) => a + b, 0) / j.ood_score.length);
        j.node_predictions.forEach((p, k) => {
          n++;
          if (graph.labels[nodes[k]] === p) right++;
          const row = j.probabilities[k];
          servedSum += Math.max(...row);
          const sc = j.ood_score[k];
          if (sc < gate[0] || sc > gate[1]) {
            outside++;
            gatedSum += 1 / graph.numClasses;
          } else gatedSum += Math.max(...row);
          // the raw softmax of the same logits: p_raw ∝ p_T^T
          let z = 0;
          let top = 0;
          for (const q of row) {
            const w = q ** T;
            z += w;
            top = Math.max(top, w);
          }
          rawSum += top / z;
        });
      }
      for (let i = 0; i < 200 && (s.requestLog?.pending ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      const a = (await (await fetch(`${url}/api/drift/accuracy?window=${requests}&windows=1`)).json()) as {
        latest: { n: number; estimated: number; low: number; high: number; calibration: string };
      };
      if (a.latest.n !== n) throw new Error(`the log holds ${a.latest.n} predictions of the window, ${n} were served`);
      const realised = right / n;
      const est = a.latest.estimated;
      const ood = oodReport('subgraph', profile, requestMeans);
      const d = ood?.drift;
      if (!d) throw new Error('no OOD comparison: the profile has no subgraph-request reference');
      rows.push([
        name,
        String(n),
        pct(realised),
        `${pct(est)} [${pct(a.latest.low)}, ${pct(a.latest.high)}]`,
        ((est - realised) * 100).toFixed(1),
        pct(rawSum / n),
        ((rawSum / n - realised) * 100).toFixed(1),
        a.latest.calibration,
        Math.abs(servedSum / n - est) < 1e-5 ? 'yes' : 'NO',
        `${d.test} ${d.score.toPrecision(2)}: ${d.drifted ? 'drift' : 'no drift'}`,
        d.drifted ? 'no' : 'yes',
        `${pct(gatedSum / n)} (${pct(outside / n)}% gated)`,
        ((gatedSum / n - realised) * 100).toFixed(1),
      ]);
    }
    await s.app.close();
    await logStore.db.close();
    await store.close();
    const head = [
      'scenario',
      'served nodes',
      'realised acc %',
      'estimated % [95% interval]',
      'est − real (points)',
      'raw-confidence est %',
      'raw − real',
      'calibration',
      'log = responses',
      'OOD scores vs reference',
      'estimate marked reliable',
      'gated estimate %',
      'gated − real',
    ];
    console.log(`| ${head.join(' | ')} |`);
    console.log(`|${head.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

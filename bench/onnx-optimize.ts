/**
 * `npm run bench -- onnx-optimize`: ONNX export variants of a GCN 300 → H → 10 (random Glorot weights: the TEST
 * FIXTURE until trained models exist, so agreement with the float model stands in for accuracy): model size,
 * ONNX Runtime latency (1 intra-op thread) on a 20-node request subgraph and on a WikiCS-sized full graph
 * (11,701 nodes, 36 random in-neighbours each + a ring), and top-1 agreement with the float model on a sparser
 * graph of the same size (4 in-neighbours, zero biases, so that predictions spread over the classes).
 * Options: --hidden H (default 33, the WikiCS paper's GCN width).
 */
import { exportGcnOnnx } from '../src/nn/export/onnx/gcn.js';
import { pruneWeights } from '../src/nn/export/onnx/optimize.js';
import { onnxSubgraphRunner } from '../src/serve/onnx/runtime.js';
import { randomGraph } from '../test/serve/fixtures/mean-model.js';
import { randomGcn } from '../test/serve/fixtures/random-gcn.js';
import { subgraph } from './serve-workload.js';

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

function argmax(p: Float32Array, C: number): Int32Array {
  const out = new Int32Array(p.length / C);
  for (let i = 0; i < out.length; i++) {
    let b = 0;
    for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + b]) b = c;
    out[i] = b;
  }
  return out;
}

export default async function onnxOptimize(args: string[]): Promise<void> {
  const hidden = args.includes('--hidden') ? Number(args[args.indexOf('--hidden') + 1]) : 33;
  const w = randomGcn([300, hidden, 10], 21);
  for (const l of w.layers) l.bias.fill(0);
  const variants: [string, Uint8Array][] = [
    ['float32', exportGcnOnnx(w)],
    ['int8 weights', exportGcnOnnx(w, {}, { quantize: 'int8' })],
    ['pruned 50% (float32)', exportGcnOnnx(pruneWeights(w, 0.5))],
    ['pruned 50% + int8', exportGcnOnnx(pruneWeights(w, 0.5), {}, { quantize: 'int8' })],
  ];
  const sg = subgraph();
  const x = Float32Array.from(sg.x.flat());
  const src = Int32Array.from(sg.edge_index[0]);
  const dst = Int32Array.from(sg.edge_index[1]);
  const edges = (g: ReturnType<typeof randomGraph>) => {
    const E = g.indptr[g.numNodes];
    const s = new Int32Array(E);
    const d = new Int32Array(E);
    for (let i = 0; i < g.numNodes; i++) {
      for (let p = g.indptr[i]; p < g.indptr[i + 1]; p++) {
        s[p] = g.indices[p];
        d[p] = i;
      }
    }
    return { s, d, E };
  };
  const g = randomGraph(11701, 300, 36, 3);
  const { s: gs, d: gd, E } = edges(g);
  const sparse = randomGraph(11701, 300, 4, 4);
  const se = edges(sparse);
  console.log(`GCN 300 → ${hidden} → 10, ONNX Runtime 1 intra-op thread; full graph ${g.numNodes} nodes, ${E} edges`);
  console.log('variant                     size      20-node subgraph   full graph   top-1 agreement (classes seen)');
  let ref: Int32Array | undefined;
  for (const [name, bytes] of variants) {
    const r = await onnxSubgraphRunner(bytes);
    for (let i = 0; i < 50; i++) await r.run(x, 20, 300, src, dst);
    const t: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await r.run(x, 20, 300, src, dst);
      t.push(performance.now() - t0);
    }
    const ft: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await r.run(g.features, g.numNodes, 300, gs, gd);
      ft.push(performance.now() - t0);
    }
    const cls = argmax(await r.run(sparse.features, sparse.numNodes, 300, se.s, se.d), 10);
    ref ??= cls;
    let agree = 0;
    for (let i = 0; i < cls.length; i++) if (cls[i] === ref[i]) agree++;
    console.log(
      `${name.padEnd(26)} ${`${(bytes.length / 1024).toFixed(1)} KiB`.padStart(10)} ${`${median(t).toFixed(3)} ms`.padStart(14)} ${`${median(ft).toFixed(1)} ms`.padStart(14)} ${`${((100 * agree) / cls.length).toFixed(2)}%`.padStart(12)} (${new Set(cls).size})`,
    );
    await r.close();
  }
}

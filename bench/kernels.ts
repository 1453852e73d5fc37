/**
 * Kernel micro-benchmarks: `npm run bench -- kernels [--reps N] [--threads 1,2] [--no-reference] [--only TEXT]`.
 * Shapes follow the WikiCS GCN workload (11,701 nodes, 300 features, ~430k edges): GEMM forward and the two
 * backward forms, CSR SpMM with 64 and 33 columns, GAT-style edge ops with 8 heads, and the raw dispatch latency.
 * Prints best and median milliseconds per call (inputs live in wasm memory), and GFLOP/s for GEMM.
 */
import { loadavg } from 'node:os';
import { createBackend } from '../src/engine/backend/index.js';
import { kernelsModule } from '../src/engine/backend/kernels-module.js';
import { ThreadPool } from '../src/engine/backend/thread-pool.js';
import type { Backend, Csr } from '../src/engine/backend/types.js';
import { wasmApi } from '../src/engine/backend/wasm-api.js';
import { mulberry32 } from '../src/util/random.js';

interface Timing {
  best: number;
  median: number;
  /** Median process CPU time per call (all threads): wall ≫ cpu/threads means the cores were busy elsewhere. */
  cpu: number;
}

function time(fn: () => void, reps: number, warmup = 2): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
    const d = process.cpuUsage(c0);
    c.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  c.sort((a, b) => a - b);
  return { best: t[0], median: t[Math.floor(t.length / 2)], cpu: c[Math.floor(c.length / 2)] };
}

const rng = mulberry32;

/** A random graph of WikiCS's size: sorted neighbour lists, about `nnz` entries, symmetric-normalised weights. */
function wikicsLikeGraph(n: number, nnz: number, r: () => number): Csr {
  const indptr = new Int32Array(n + 1);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const deg = Math.max(1, Math.round(-Math.log(1 - r()) * (nnz / n)));
    const set = new Set<number>([i]);
    while (set.size < Math.min(deg, n)) set.add(Math.floor(r() * n));
    rows.push([...set].sort((a, b) => a - b));
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += rows[i].length;
    indptr[i + 1] = total;
  }
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  for (let i = 0; i < n; i++) {
    indices.set(rows[i], indptr[i]);
    for (let t = indptr[i]; t < indptr[i + 1]; t++) {
      values[t] = 1 / Math.sqrt(rows[i].length * rows[indices[t]]?.length || 1);
    }
  }
  return { rows: n, cols: n, indptr, indices, values };
}

function fill(be: Backend, n: number, r: () => number): Float32Array {
  const a = be.alloc(n) as Float32Array;
  for (let i = 0; i < n; i++) a[i] = 2 * r() - 1;
  return a;
}

const fmt = (t: Timing) => `${t.best.toFixed(2)} / ${t.median.toFixed(2)}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export default async function kernels(args: string[]): Promise<void> {
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const reps = Number(opt('--reps', '15'));
  const threadList = opt('--threads', '1,2').split(',').map(Number);
  const withRef = !args.includes('--no-reference');
  const r = rng(1);
  const N = 11701;
  const F = 300;
  const graph = wikicsLikeGraph(N, 430000, rng(2));
  console.log(`graph: ${N} nodes, ${graph.indices.length} entries; reps ${reps}; times are best / median ms`);
  console.log(`load average at start: ${load()}`);

  const rowsOut: Array<[string, string, ...string[]]> = [];
  const header = ['kernel', 'reference', ...threadList.map((t) => `wasm ${t}T`)];

  type Case = { name: string; flops?: number; run: (be: Backend) => () => void; refReps?: number };
  const gemmCase = (name: string, ta: boolean, tb: boolean, m: number, n: number, k: number): Case => ({
    name,
    flops: 2 * m * n * k,
    refReps: 1,
    run: (be) => {
      const a = fill(be, m * k, r);
      const b = fill(be, k * n, r);
      const c = be.alloc(m * n);
      return () => be.gemm(ta, tb, m, n, k, a, b, c);
    },
  });
  const spmmCase = (f: number): Case => ({
    name: `SpMM Â·X (${N}×${N}, ${graph.indices.length} nnz) f=${f}`,
    refReps: 3,
    run: (be) => {
      const a = be.importCsr(graph);
      const x = fill(be, N * f, r);
      const out = be.alloc(N * f);
      return () => be.spmm(a, x, f, out);
    },
  });
  const heads = 8;
  const hf = 8;
  const edgeCase = (name: string, op: 'softmax' | 'aggregate' | 'score' | 'gradAlpha'): Case => ({
    name,
    refReps: 3,
    run: (be) => {
      const a = be.importCsr(graph);
      const e = a.indices.length;
      const s = fill(be, e * heads, r);
      const out = be.alloc(e * heads);
      const x = fill(be, N * heads * hf, r);
      const o = be.alloc(N * heads * hf);
      const src = fill(be, N * heads, r);
      const dst = fill(be, N * heads, r);
      if (op === 'softmax') return () => be.edgeSoftmax(a.indptr, s, heads, out);
      if (op === 'score') return () => be.edgeScore(a.indptr, a.indices, src, dst, heads, 0.2, out);
      if (op === 'gradAlpha') return () => be.edgeAggregateGradAlpha(a.indptr, a.indices, o, x, heads, hf, out);
      return () => be.edgeAggregate(a.indptr, a.indices, s, x, heads, hf, o);
    },
  });
  /** Every kernel call of one GCN epoch (300→33→10: train step forward + backward, then an eval forward). */
  const gcnEpoch: Case = {
    name: 'GCN epoch, kernels only (300→33→10, train fwd+bwd + eval fwd)',
    refReps: 1,
    run: (be) => {
      const a = be.importCsr(graph);
      const [h, c] = [33, 10];
      const x = fill(be, N * F, r);
      const w1 = fill(be, F * h, r);
      const b1 = fill(be, h, r);
      const w2 = fill(be, h * c, r);
      const b2 = fill(be, c, r);
      const [z1, a1, m1] = [be.alloc(N * h), be.alloc(N * h), be.allocU8(N * h)];
      const [z2, out, g2] = [be.alloc(N * c), be.alloc(N * c), fill(be, N * c, r)];
      const [gz2, gw2, gb2, gh, gz1, gw1, gb1] = [
        be.alloc(N * c),
        be.alloc(h * c),
        be.alloc(c),
        be.alloc(N * h),
        be.alloc(N * h),
        be.alloc(F * h),
        be.alloc(h),
      ];
      let step = 0;
      const forward = (train: boolean) => {
        be.gemm(false, false, N, h, F, x, w1, z1);
        be.addBias(z1, b1, N, h, z1);
        be.spmm(a, z1, h, a1);
        be.relu(a1, a1);
        if (train) {
          be.dropoutMask(m1, 0.25, step++);
          be.maskScale(a1, m1, 1 / 0.75, a1);
        }
        be.gemm(false, false, N, c, h, a1, w2, z2);
        be.addBias(z2, b2, N, c, z2);
        be.spmm(a, z2, c, out);
      };
      return () => {
        forward(true);
        be.spmm(a, g2, c, gz2); // Âᵀ = Â (symmetric normalisation)
        be.colSum(gz2, N, c, gb2);
        be.gemm(true, false, h, c, N, a1, gz2, gw2);
        be.gemm(false, true, N, h, c, gz2, w2, gh);
        be.maskScale(gh, m1, 1 / 0.75, gh);
        be.reluBackward(a1, gh, gh);
        be.spmm(a, gh, h, gz1);
        be.colSum(gz1, N, h, gb1);
        be.gemm(true, false, F, h, N, x, gz1, gw1);
        forward(false);
      };
    },
  };
  const cases: Case[] = [
    gcnEpoch,
    gemmCase(`GEMM NN X·W ${N}×${F} @ ${F}×64`, false, false, N, 64, F),
    gemmCase(`GEMM TN Xᵀ·G ${F}×${N} @ ${N}×64`, true, false, F, 64, N),
    gemmCase(`GEMM NT G·Wᵀ ${N}×64 @ 64×${F}`, false, true, N, F, 64),
    gemmCase(`GEMM NN X·W ${N}×${F} @ ${F}×33`, false, false, N, 33, F),
    gemmCase(`GEMM TN Xᵀ·G ${F}×${N} @ ${N}×33`, true, false, F, 33, N),
    spmmCase(64),
    spmmCase(33),
    edgeCase(`edgeScore H=${heads}`, 'score'),
    edgeCase(`edgeSoftmax H=${heads}`, 'softmax'),
    edgeCase(`edgeAggregate H=${heads} F=${hf}`, 'aggregate'),
    edgeCase(`edgeAggregateGradAlpha H=${heads} F=${hf}`, 'gradAlpha'),
  ];

  const backends = threadList.map((t) => createBackend({ name: 'wasm', threads: t }));
  const ref = withRef ? createBackend({ name: 'reference' }) : undefined;
  const only = opt('--only', '');
  for (const c of cases.filter((x) => !only || x.name.includes(only))) {
    const cells: string[] = [];
    const gf = (t: Timing) => (c.flops ? ` (${(c.flops / t.best / 1e6).toFixed(1)} GF/s)` : '');
    if (ref) {
      const t = time(c.run(ref), c.refReps ?? 1, 0);
      cells.push(`${fmt(t)}${gf(t)}`);
    } else cells.push('-');
    for (const be of backends) {
      const t = time(c.run(be), reps);
      cells.push(`${fmt(t)}${gf(t)} cpu ${t.cpu.toFixed(1)}`);
    }
    rowsOut.push([c.name, ...(cells as [string, ...string[]])]);
    console.log(`${c.name}: ${cells.join(' | ')}`);
  }

  // Raw dispatch: a kernel over 16 elements per thread, so the time is the round trip through the control block.
  const module = kernelsModule();
  for (const t of threadList.filter((x) => x > 1)) {
    const memory = new wasmApi.Memory({ initial: 64, maximum: 65536, shared: true });
    const inst = new wasmApi.Instance(module, { env: { memory } });
    const relu = inst.exports.relu as (...a: number[]) => void;
    const pool = new ThreadPool({ module, memory, fns: [relu], names: ['relu'], threads: t });
    // t chunks of 16 elements: each thread typically claims one
    const bounds = Array.from({ length: t + 1 }, (_, i) => 65536 + 16 * i);
    const calls = 20000;
    const d = time(
      () => {
        for (let i = 0; i < calls; i++) pool.run(0, [1 << 20, 1 << 20], bounds, t);
      },
      5,
      1,
    );
    const line = `dispatch round trip, ${t} threads: ${((d.best / calls) * 1000).toFixed(1)} µs best, ${((d.median / calls) * 1000).toFixed(1)} µs median per call`;
    console.log(line);
    pool.dispose();
  }

  console.log(`load average at end: ${load()}`);
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rowsOut) console.log(`| ${row.join(' | ')} |`);
  for (const be of backends) be.dispose();
}

/**
 * Tracking overhead: an epoch loop with ~30 ms of real CPU work (a chain of dense 64×64 matmuls on Float32Array)
 * and 12 metrics per epoch, run without logging, with the default batched logging, and with one transaction
 * per point (flushEvery = 1, what batching avoids). Modes are interleaved round by round so machine drift hits
 * them alike. Reports the median epoch time per mode, the end-to-end overhead vs no logging, and the time spent
 * inside the logging calls themselves (a less noisy figure of the same cost).
 *
 *   npm run bench -- tracking [--epochs 100] [--rounds 5] [--work-ms 30] [--metrics 12]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { openStore } from '../src/track/store.js';
import { Tracker } from '../src/track/tracker.js';

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

const N = 64;
const a = new Float32Array(N * N).map((_, i) => Math.sin(i) * 0.01);
const b = new Float32Array(N * N).map((_, i) => Math.cos(i) * 0.01);
const c = new Float32Array(N * N);

/** One unit of real work: c = a·b (2·64³ ≈ 0.5 MFLOP). Returns a checksum so it cannot be optimised away. */
function unit(): number {
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) c[i * N + j] = 0;
    for (let k = 0; k < N; k++) {
      const aik = a[i * N + k];
      for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
  }
  return c[7];
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Mode = 'none' | 'batched' | 'unbatched';

export default async function bench(args: string[]): Promise<void> {
  const epochs = arg(args, 'epochs', 100);
  const rounds = arg(args, 'rounds', 5);
  const workMs = arg(args, 'work-ms', 30);
  const nMetrics = arg(args, 'metrics', 12);
  const home = mkdtempSync(join(tmpdir(), 'gnnops-bench-tracking-'));
  const store = await openStore({ home });
  let sink = 0;

  // Warm up the JIT for ~1 s, then calibrate the units per epoch for ~workMs of CPU.
  const w0 = performance.now();
  while (performance.now() - w0 < 1000) sink += unit();
  // Calibrate on CPU time, not wall time: it does not stretch when other processes share the cores.
  const c0 = process.cpuUsage();
  let calib = 0;
  let cpuMs = 0;
  while (cpuMs < 500) {
    for (let i = 0; i < 10; i++) sink += unit();
    calib += 10;
    const d = process.cpuUsage(c0);
    cpuMs = (d.user + d.system) / 1000;
  }
  const units = Math.max(1, Math.round((workMs * calib) / cpuMs));

  const modes: Mode[] = ['none', 'batched', 'unbatched'];
  const wall: Record<Mode, number[]> = { none: [], batched: [], unbatched: [] };
  const cpu: Record<Mode, number[]> = { none: [], batched: [], unbatched: [] };
  const logMs: Record<Mode, number> = { none: 0, batched: 0, unbatched: 0 };
  const keys = Array.from({ length: nMetrics }, (_, k) => `metric_${k}`);

  // Round 0 is a warm-up (SQLite statements, page cache) and is not recorded. Within a round the three modes
  // take turns epoch by epoch (in a rotating order), so load from other processes hits them alike.
  for (let r = 0; r <= rounds; r++) {
    const runs = {
      none: null,
      batched: await new Tracker(store, { experiment: 'bench' }).startRun({ name: `batched-${r}`, git: null }),
      unbatched: await new Tracker(store, { experiment: 'bench', tuning: { flushEvery: 1 } }).startRun({
        name: `unbatched-${r}`,
        git: null,
      }),
    };
    for (let e = 0; e < epochs; e++) {
      for (let m = 0; m < modes.length; m++) {
        const mode = modes[(m + e) % modes.length];
        const run = runs[mode];
        const c0 = process.cpuUsage();
        const start = performance.now();
        for (let u = 0; u < units; u++) sink += unit();
        const values: Record<string, number> = {};
        for (let k = 0; k < nMetrics; k++) values[keys[k]] = sink * 1e-9 + k + e;
        const l0 = performance.now();
        run?.logMetrics(values, e);
        const l1 = performance.now();
        const c1 = process.cpuUsage(c0);
        if (r > 0) {
          wall[mode].push(l1 - start);
          cpu[mode].push((c1.user + c1.system) / 1000);
          logMs[mode] += l1 - l0;
        }
        await yieldLoop();
      }
    }
    for (const mode of ['batched', 'unbatched'] as const) {
      const e0 = performance.now();
      await runs[mode].end();
      // The final flush belongs to the run's logging cost.
      if (r > 0) logMs[mode] += performance.now() - e0;
    }
  }
  // Micro: the two costs batching trades, measured alone: appending a point, and one 200-point flush.
  const micro = await new Tracker(store, { tuning: { flushEvery: 1e9, flushMs: 1e9 } }).startRun({
    name: 'micro',
    git: null,
  });
  const flushes: number[] = [];
  let pushMs = 0;
  for (let rep = 0; rep < 50; rep++) {
    const p0 = performance.now();
    for (let i = 0; i < 200; i++) micro.logMetric(keys[i % nMetrics], i, rep * 20 + Math.floor(i / nMetrics));
    pushMs += performance.now() - p0;
    const f0 = performance.now();
    await micro.flush();
    flushes.push(performance.now() - f0);
  }
  await micro.end();
  const points = (await store.sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM metrics'))[0].n;
  await store.close();
  rmSync(home, { recursive: true, force: true });

  const baseWall = median(wall.none);
  const baseCpu = median(cpu.none);
  const n = rounds * epochs;
  console.log(
    `tracking overhead: ${rounds} rounds × ${epochs} epochs per mode, ${units} work units/epoch (~${workMs} ms), ${nMetrics} metrics/epoch; ${points} points written incl. warm-up (checksum ${sink.toFixed(3)})`,
  );
  console.log('mode        median wall ms  vs none   median CPU ms  vs none   logging ms/epoch  logging share');
  for (const mode of modes) {
    const w = median(wall[mode]);
    const c = median(cpu[mode]);
    const l = logMs[mode] / n;
    console.log(
      [
        mode.padEnd(10),
        w.toFixed(2).padStart(14),
        `${(((w - baseWall) / baseWall) * 100).toFixed(2).padStart(7)} %`,
        c.toFixed(2).padStart(13),
        `${(((c - baseCpu) / baseCpu) * 100).toFixed(2).padStart(7)} %`,
        l.toFixed(4).padStart(16),
        `${((l / baseWall) * 100).toFixed(3).padStart(11)} %`,
      ].join('  '),
    );
  }
  console.log(
    `micro: logMetric append ${((pushMs / 10000) * 1000).toFixed(2)} µs/point; one 200-point flush transaction: median ${median(flushes).toFixed(3)} ms`,
  );
}

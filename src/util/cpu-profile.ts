/**
 * `--profile`: a V8 CPU profile of a command (open the .cpuprofile in Chrome DevTools or speedscope) plus a
 * per-phase wall-time table. The profiler runs in-process through node:inspector, so no flags or restarts.
 */
import { Session } from 'node:inspector/promises';
import { writeFileAtomic } from './fs.js';

export interface CpuProfiler {
  /** Stop profiling and write the .cpuprofile; returns its path. */
  stop(): Promise<string>;
}

export async function startCpuProfile(path: string, samplingIntervalUs = 500): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileAtomic(path, JSON.stringify(profile));
      return path;
    },
  };
}

/** Wall time per named phase, accumulated over calls. */
export class PhaseTimer {
  readonly #ms = new Map<string, { total: number; calls: number }>();

  time<T>(phase: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  add(phase: string, ms: number): void {
    const e = this.#ms.get(phase) ?? { total: 0, calls: 0 };
    e.total += ms;
    e.calls++;
    this.#ms.set(phase, e);
  }

  rows(): { phase: string; total_ms: number; calls: number; mean_ms: number; share: number }[] {
    const all = [...this.#ms.values()].reduce((a, e) => a + e.total, 0) || 1;
    return [...this.#ms.entries()]
      .map(([phase, e]) => ({
        phase,
        total_ms: e.total,
        calls: e.calls,
        mean_ms: e.total / e.calls,
        share: e.total / all,
      }))
      .sort((a, b) => b.total_ms - a.total_ms);
  }
}

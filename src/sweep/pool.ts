import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrialIo } from './driver.js';
import type { Executor } from './executor.js';
import type { ParentMessage, WorkerMessage } from './pool-protocol.js';
import type { TrialOutcome, TrialTask } from './types.js';

const fromTs = import.meta.url.endsWith('.ts');
const ENTRY = new URL(fromTs ? './worker-main.ts' : './worker-main.js', import.meta.url);

/** A module specifier a child process can import: file paths become file:// URLs, package names stay. */
export function moduleSpecifier(module: string): string {
  if (module.startsWith('file:')) return module;
  if (module.startsWith('.') || isAbsolute(module) || existsSync(resolve(module)))
    return pathToFileURL(resolve(module)).href;
  return module;
}

/**
 * Trials on `workers` forked Node processes on this machine, one trial per process at a time (a trial is
 * CPU-bound and may start its own kernel threads). Processes are reused across trials and started lazily; one
 * that dies mid-trial (crash, OOM) fails that trial and is replaced on the next one.
 */
export class ProcessPoolExecutor implements Executor {
  readonly slots: number;
  readonly #module: string;
  readonly #idle: ChildProcess[] = [];
  readonly #all = new Set<ChildProcess>();
  readonly #env: NodeJS.ProcessEnv;
  readonly #graceMs: number;

  /** `graceMs`: after an abort, wait this long before SIGTERM, and twice as long before SIGKILL (default 5 s). */
  constructor(opts: { workers: number; module: string; env?: NodeJS.ProcessEnv; graceMs?: number }) {
    this.#graceMs = opts.graceMs ?? 5000;
    this.slots = Math.max(1, opts.workers);
    this.#module = moduleSpecifier(opts.module);
    this.#env = opts.env ?? process.env;
  }

  #spawn(): ChildProcess {
    const child = fork(ENTRY, [], {
      execArgv: fromTs ? ['--import', 'tsx'] : [],
      env: this.#env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#all.add(child);
    child.once('exit', () => {
      this.#all.delete(child);
      const i = this.#idle.indexOf(child);
      if (i >= 0) this.#idle.splice(i, 1);
    });
    return child;
  }

  run(task: TrialTask, io: TrialIo): Promise<TrialOutcome> {
    const child = this.#idle.pop() ?? this.#spawn();
    return new Promise<TrialOutcome>((resolveOutcome) => {
      let done = false;
      let epochs = 0;
      const finish = (o: TrialOutcome) => {
        if (done) return;
        done = true;
        child.off('message', onMessage);
        child.off('exit', onExit);
        io.signal?.removeEventListener('abort', onAbort);
        for (const t of timers) clearTimeout(t);
        if (child.exitCode === null && child.signalCode === null && child.connected) this.#idle.push(child);
        resolveOutcome(o);
      };
      const onMessage = (raw: unknown) => {
        const m = raw as WorkerMessage;
        if (m.type === 'epoch') {
          epochs++;
          io.onEpoch(m.step, m.metrics);
          child.send({ type: 'bands', table: io.bandTable() } satisfies ParentMessage);
        } else if (m.type === 'done') {
          finish(m.outcome);
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        finish({
          status: 'failed',
          metrics: {},
          value: null,
          epochs,
          error: `worker process ${child.pid} exited (${signal ?? `code ${code}`}) during the trial`,
          worker: `pid:${child.pid}`,
        });
      };
      // Training loops are synchronous, so a child may not read the abort message until its trial ends:
      // escalate to SIGTERM, then SIGKILL (the runner records the trial as interrupted either way).
      const timers: NodeJS.Timeout[] = [];
      const onAbort = () => {
        if (child.connected) child.send({ type: 'abort' } satisfies ParentMessage);
        timers.push(setTimeout(() => child.kill('SIGTERM'), this.#graceMs));
        timers.push(setTimeout(() => child.kill('SIGKILL'), 2 * this.#graceMs));
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      io.signal?.addEventListener('abort', onAbort, { once: true });
      child.send({ type: 'run', task, module: this.#module, table: io.bandTable() } satisfies ParentMessage);
    });
  }

  async close(): Promise<void> {
    const waits = [...this.#all].map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          c.once('exit', () => res());
          c.kill('SIGTERM');
        }),
    );
    await Promise.all(waits);
  }
}

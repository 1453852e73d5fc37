/**
 * Runs alive in this process, so that SIGINT/SIGTERM mark them `killed` and a process exit that skipped
 * `run.end()` marks them `failed`. Listeners are installed only while at least one run is active, so a process
 * without runs keeps the default signal behaviour.
 */

export interface Endable {
  /** Ends the run at once where it can; otherwise returns the promise that ends it. */
  endFromSignal(status: 'killed' | 'failed', reason: string): Promise<void> | undefined;
}

/** How long a signal waits for runs on a remote store to be marked ended before the process dies. */
const SIGNAL_GRACE_MS = 3000;

const active = new Set<Endable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Sig = (typeof SIGNALS)[number];

function onSignal(sig: Sig): void {
  const pending = [...active].map((r) => r.endFromSignal('killed', `received ${sig}`)).filter((p) => p !== undefined);
  uninstall();
  // If nobody else handles the signal, die from it as the default handler would (exit code 128 + n).
  const die = () => {
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  if (pending.length === 0) {
    die();
    return;
  }
  const grace = new Promise<void>((r) => setTimeout(r, SIGNAL_GRACE_MS).unref());
  void Promise.race([Promise.allSettled(pending), grace]).then(die);
}

const handlers: Record<Sig, () => void> = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };

function onExit(code: number): void {
  for (const r of [...active]) r.endFromSignal('failed', `process exited (code ${code}) without ending the run`);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, handlers[s]);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, handlers[s]);
  process.off('exit', onExit);
}

export function trackActive(run: Endable, handleSignals: boolean): void {
  active.add(run);
  if (handleSignals) install();
}

export function untrackActive(run: Endable): void {
  active.delete(run);
  if (active.size === 0) uninstall();
}

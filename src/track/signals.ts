/**
 * Runs alive in this process, so that SIGINT/SIGTERM mark them `killed` and a process exit that skipped
 * `run.end()` marks them `failed`. Listeners are installed only while at least one run is active, so a process
 * without runs keeps the default signal behaviour.
 */

export interface Endable {
  endFromSignal(status: 'killed' | 'failed', reason: string): void;
}

const active = new Set<Endable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Sig = (typeof SIGNALS)[number];

function onSignal(sig: Sig): void {
  for (const r of [...active]) r.endFromSignal('killed', `received ${sig}`);
  uninstall();
  // If nobody else handles the signal, die from it as the default handler would (exit code 128 + n).
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
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

/**
 * Entry of a local sweep worker process (forked by ProcessPoolExecutor). It loads the trial module once, then
 * runs one trial per `run` message, streaming epochs to the parent and receiving the latest Hyperband bracket
 * table in reply. It exits when the parent goes away (IPC disconnect), so a killed sweep leaves no orphans.
 */
import { driveTrial, loadTrialFn } from './driver.js';
import type { BandTable } from './hyperband.js';
import type { ParentMessage, WorkerMessage } from './pool-protocol.js';
import type { TrialFn } from './types.js';

let fn: TrialFn | null = null;
let table: BandTable = {};
let current: AbortController | null = null;

function send(m: WorkerMessage): void {
  process.send?.(m);
}

process.on('disconnect', () => process.exit(0));
// A trainer's epoch loop is synchronous, so 'disconnect' cannot fire mid-trial: check on every report
// whether the parent is gone (we were re-parented) and stop computing for nobody.
const parent = process.ppid;
function exitIfOrphaned(): void {
  if (process.ppid !== parent) process.exit(0);
}

process.on('message', async (raw) => {
  const m = raw as ParentMessage;
  if (m.type === 'bands') {
    table = m.table;
    return;
  }
  if (m.type === 'abort') {
    current?.abort(new Error('sweep shutting down'));
    return;
  }
  if (m.type === 'run') {
    try {
      fn ??= await loadTrialFn(m.module);
    } catch (e) {
      send({
        type: 'done',
        outcome: { status: 'failed', metrics: {}, value: null, epochs: 0, error: (e as Error).message, fatal: true },
      });
      return;
    }
    table = m.table;
    current = new AbortController();
    const outcome = await driveTrial(fn, m.task, {
      onEpoch: (step, metrics) => {
        exitIfOrphaned();
        send({ type: 'epoch', step, metrics });
      },
      bandTable: () => table,
      signal: current.signal,
      worker: `pid:${process.pid}`,
    });
    current = null;
    // An orphan's result has nobody to record it (and a resumed sweep's store would refuse its stale lease).
    exitIfOrphaned();
    send({ type: 'done', outcome });
  }
});

send({ type: 'ready' });

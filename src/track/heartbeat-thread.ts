/**
 * A run's heartbeat on a remote store, kept from a thread of its own: a training loop blocks its thread between
 * epochs for as long as it runs, and without this, another host would take the silent run for a crashed one after
 * `track.stale_after_s`. The thread beats every `periodMs` on one connection of its own until it is terminated.
 * Protocol: workerData {target, runId, periodMs}; no messages.
 */
import { workerData } from 'node:worker_threads';
import { type DatabaseTarget, openTarget } from '../db/index.js';

const { target, runId, periodMs } = workerData as { target: DatabaseTarget; runId: string; periodMs: number };
const db = openTarget(target, { max: 1, connectAttempts: 1 });

setInterval(() => {
  // A beat that fails (the server restarting) is simply the next one's to make.
  db.run("UPDATE runs SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'", [Date.now(), runId]).catch(
    () => undefined,
  );
}, periodMs);

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SqlDb } from '../db/index.js';

export interface RecoveredRun {
  id: string;
  pid: number;
  host: string;
  reason: string;
}

export interface RecoveryOptions {
  /** Heartbeat age after which a run of another host (whose pid we cannot check) is dead. */
  staleAfterMs: number;
  now?: number;
  host?: string;
}

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null where /proc is not
 * available. Together with the pid it identifies a process: a reused pid has a different start time.
 */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its closing ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Mark runs left `running` by a dead process as `failed`. On this host a run is dead when its pid is gone, or
 * when the pid now belongs to another process (different start time; where start times are unknown, a stale
 * heartbeat stands in). A live process is never judged by its heartbeat, so a long blocking computation is safe.
 * On another host only the heartbeat can tell. The reason is kept in `status_reason`.
 */
export async function recoverStaleRuns(db: SqlDb, opts: RecoveryOptions): Promise<RecoveredRun[]> {
  const now = opts.now ?? Date.now();
  const host = opts.host ?? hostname();
  const rows = await db.query<{
    id: string;
    pid: number;
    host: string;
    heartbeat_at: number;
    pid_start: string | null;
  }>("SELECT id, pid, host, heartbeat_at, pid_start FROM runs WHERE status = 'running'");
  const dead: RecoveredRun[] = [];
  for (const r of rows) {
    const age = now - r.heartbeat_at;
    if (r.host === host) {
      if (r.pid === process.pid) continue;
      if (!pidAlive(r.pid)) {
        dead.push({ ...r, reason: `process ${r.pid} on ${r.host} exited without ending the run` });
        continue;
      }
      const start = r.pid_start === null ? null : processStart(r.pid);
      if (start !== null) {
        if (start !== r.pid_start)
          dead.push({ ...r, reason: `process ${r.pid} exited; its pid now belongs to another process` });
      } else if (age > opts.staleAfterMs) {
        dead.push({ ...r, reason: `no heartbeat for ${Math.round(age / 1000)} s (pid ${r.pid} reused?)` });
      }
    } else if (age > opts.staleAfterMs) {
      dead.push({ ...r, reason: `no heartbeat from ${r.host} for ${Math.round(age / 1000)} s` });
    }
  }
  if (dead.length > 0) {
    await db.transaction(async (tx) => {
      for (const d of dead) {
        await tx.run(
          "UPDATE runs SET status = 'failed', status_reason = $1, end_time = $2 WHERE id = $3 AND status = 'running'",
          [d.reason, now, d.id],
        );
      }
    });
  }
  return dead.map(({ id, pid, host: h, reason }) => ({ id, pid, host: h, reason }));
}

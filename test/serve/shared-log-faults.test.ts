/**
 * Two server processes log into one PostgreSQL database, and the database is stopped (immediate shutdown, as a
 * crash) and started again while both are under load. Every request must still be answered 200; every row a server
 * accepted must be stored exactly once or counted as shed (gnnops_request_log_dropped_total); and the scheduled drift
 * check (every second on both servers) must run once per interval for the deployment, not once per server.
 * The database is a throwaway cluster of this test (.ci/postgres.sh on a free port), never the shared test cluster.
 * Servers: the fixture model (test/serve/fixtures/serve-child.ts), F = 2; request-log queue capacity 20 rows, so a
 * 3-second outage at the load below overflows it and shedding is exercised too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { repoRoot } from '../cli/_run.js';
import { PG_SKIP } from '../db/pg-helper.js';
import { exitOf, spawnServer } from './fixtures/spawn-server.js';

const script = join(repoRoot, '.ci/postgres.sh');
const binaries = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0;
const skip = PG_SKIP || (binaries ? false : 'no PostgreSQL binaries under /usr/lib/postgresql');

const INTERVAL_S = 1;
const CAPACITY = 20;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const metric = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

describe('two servers on one PostgreSQL, the database stopped and started under load', { skip }, () => {
  let dir: string;
  let port: number;
  let url: string;
  const servers: { replica: string; url: string; proc: import('node:child_process').ChildProcess }[] = [];
  const homes: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gnnops-pgfault-'));
    chmodSync(dir, 0o755); // the cluster runs as the postgres user
    port = await freePort();
    url = execFileSync('bash', [script, 'start', dir, String(port)], { encoding: 'utf8' }).trim();
    for (const replica of ['edge-a', 'edge-b']) {
      const home = mkdtempSync(join(tmpdir(), `gnnops-pgfault-${replica}-`));
      homes.push(home);
      const s = await spawnServer({
        GNNOPS_HOME: home,
        GNNOPS_DATABASE_URL: url,
        SERVE_REPLICA: replica,
        SERVE_LOG_FLUSH_MS: '20',
        SERVE_LOG_QUEUE_CAPACITY: String(CAPACITY),
        SERVE_DRIFT_INTERVAL_S: String(INTERVAL_S),
      });
      servers.push({ replica, ...s });
    }
  });

  after(async () => {
    for (const s of servers) {
      s.proc.kill('SIGTERM');
      await exitOf(s.proc);
    }
    if (dir) {
      execFileSync('bash', [script, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  it('answers every request, stores or counts every logged row, and runs the drift check once per interval', async (t) => {
    const body = JSON.stringify({
      x: [
        [1, 0],
        [0, 3],
      ],
      edge_index: [[0], [1]],
    });
    const answered = new Map(servers.map((s) => [s.replica, { ok: 0, other: [] as string[] }]));
    let stop = false;
    const client = async (s: (typeof servers)[number]) => {
      const tally = answered.get(s.replica)!;
      while (!stop) {
        try {
          const r = await fetch(`${s.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await r.arrayBuffer();
          if (r.status === 200) tally.ok++;
          else tally.other.push(String(r.status));
        } catch (e) {
          tally.other.push((e as Error).message);
        }
      }
    };
    const t0 = Date.now();
    const load = servers.flatMap((s) => Array.from({ length: 6 }, () => client(s)));
    await sleep(3000);
    const down = Date.now();
    execFileSync('bash', [script, 'stop', dir]);
    await sleep(3000);
    execFileSync('bash', [script, 'resume', dir, String(port)]);
    const up = Date.now();
    // load for 8 s more, and on until a check after the restart is stored: when the lease moves, the new holder's
    // first check starts its drift thread and computes its reference, which takes seconds on a loaded machine
    await sleep(8000);
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    const resumed = async () =>
      Number(
        (await watcher.query<{ n: string }>('SELECT COUNT(*) AS n FROM drift_checks WHERE ts > $1', [up])).rows[0].n,
      ) > 0;
    for (const deadline = Date.now() + 30_000; !(await resumed()) && Date.now() < deadline; ) await sleep(250);
    await watcher.end();
    stop = true;
    await Promise.all(load);
    const end = Date.now();

    for (const [replica, t] of answered) {
      assert.deepEqual(t.other.slice(0, 5), [], `${replica}: every request answered 200 (${t.ok} were)`);
      assert.ok(t.ok > 50, `${replica}: ${t.ok} requests answered`);
    }

    // every server drains what it holds once the database is back
    const scrape = async (s: (typeof servers)[number]) => (await fetch(`${s.url}/metrics`)).text();
    for (const s of servers) {
      const deadline = Date.now() + 30_000;
      for (let text = await scrape(s); metric(text, 'gnnops_request_log_pending') > 0; text = await scrape(s)) {
        const state = ['pending', 'written_total', 'dropped_total'].map(
          (k) => `${k} ${metric(text, `gnnops_request_log_${k}`)}`,
        );
        assert.ok(Date.now() < deadline, `${s.replica}: the request-log backlog drains (${state.join(', ')})`);
        await sleep(100);
      }
    }

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      let shedTotal = 0;
      for (const s of servers) {
        const text = await scrape(s);
        const shed = metric(text, 'gnnops_request_log_dropped_total');
        shedTotal += shed;
        const stored = Number(
          (await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM request_log WHERE replica = $1', [s.replica]))
            .rows[0].n,
        );
        const during = Number(
          (
            await db.query<{ n: string }>(
              'SELECT COUNT(*) AS n FROM request_log WHERE replica = $1 AND ts >= $2 AND ts < $3',
              [s.replica, down, up],
            )
          ).rows[0].n,
        );
        const ok = answered.get(s.replica)?.ok ?? 0;
        assert.equal(stored + shed, ok, `${s.replica}: ${stored} stored + ${shed} shed = ${ok} answered`);
        assert.ok(during > 0, `${s.replica}: rows accepted while the database was down were held and stored after`);
        t.diagnostic(
          `${s.replica}: ${ok} answered 200, ${stored} stored (${during} accepted during the outage), ${shed} shed`,
        );
      }
      assert.ok(shedTotal > 0, `a ${CAPACITY}-row queue overflows in a 3 s outage (${shedTotal} rows shed)`);

      // the drift check: once per interval for the deployment, by one leader at a time
      const checks = (
        await db.query<{ ts: string; leader: string }>(
          'SELECT ts, leader FROM drift_checks WHERE ts >= $1 AND ts < $2 ORDER BY ts, id',
          [t0, end],
        )
      ).rows.map((r) => ({ ts: Number(r.ts), leader: r.leader }));
      const seen = checks.map((c) => `${((c.ts - t0) / 1000).toFixed(1)}s ${c.leader}`).join(', ');
      const upSeconds = (down - t0 + (end - up)) / 1000;
      assert.ok(checks.length >= 3, `${checks.length} checks stored`);
      assert.ok(
        checks.length <= upSeconds / INTERVAL_S + 2,
        `${checks.length} checks in ${upSeconds.toFixed(1)} s of database uptime: one per interval, not one per server (${seen})`,
      );
      t.diagnostic(
        `drift checks: ${seen} (database down ${((down - t0) / 1000).toFixed(1)}–${((up - t0) / 1000).toFixed(1)} s)`,
      );
      let handovers = 0;
      for (let i = 1; i < checks.length; i++) {
        if (checks[i].leader !== checks[i - 1].leader) handovers++;
        else
          assert.ok(
            // a check takes a while and its tick may start late on a busy machine, so gaps vary around the interval;
            // one server checking twice per interval would show as gaps far below it
            checks[i].ts - checks[i - 1].ts >= 0.3 * INTERVAL_S * 1000,
            `checks ${i - 1} and ${i} by ${checks[i].leader} ${checks[i].ts - checks[i - 1].ts} ms apart`,
          );
      }
      assert.ok(handovers <= 2, `${handovers} leader changes (the lease moves at most at the restart)`);
      assert.ok(!checks.some((c) => c.ts > down + 500 && c.ts < up), 'no check is stored while the database is down');
      assert.ok(
        checks.some((c) => c.ts > up),
        'the scheduled check resumes once the database is back',
      );
    } finally {
      await db.end();
    }
  });
});

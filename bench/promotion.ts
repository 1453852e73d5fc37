/**
 * `npm run bench -- promotion`: time from a promotion's commit to every replica serving the new version.
 *
 * Real data: cora-gcn trained briefly on Cora (../shared) twice, as versions 1 and 2, in workspaces that share one
 * PostgreSQL store (a fresh database on GNNOPS_TEST_POSTGRES, or --database URL) and one file:// storage URL.
 * `--replicas` `gnnops serve` processes, each in its own workspace, follow cora-gcn@production with a 60 s poll, so
 * every switch measured comes from the pushed notice. Each replica is under a request loop (`--concurrency` POST
 * /v1/predict/nodes in flight, 8 node ids each); the bench moves production between 2 and 1 `--promotions` times
 * through the registry API, and for each takes the first answer carrying the new version on each replica. A
 * switch includes loading the version (checkpoint read, Cora loaded, full-graph forward pass).
 * Prints per-promotion lags, median and max of the slowest replica, failed requests (want 0), the load average
 * and each server's peak RSS (VmHWM).
 * Options: --promotions N (20), --replicas N (2), --concurrency N (2), --gap-ms N (1000), --database URL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from '../src/registry/index.js';
import { openStore } from '../src/track/store.js';
import { runCli } from '../test/cli/_run.js';
import { loadLoop, type Server, startServe, stopAll, waitReady } from '../test/cli/fixtures/replicas.js';
import { coraMissing, coraRawDir } from '../test/data/shared-data.js';
import { freshDatabase } from '../test/db/pg-helper.js';

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function peakRssMb(pid: number | undefined): number | null {
  const f = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(f)) return null;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(f, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

export default async function main(args: string[]): Promise<void> {
  const promotions = Number(opt(args, 'promotions', '20'));
  const replicas = Number(opt(args, 'replicas', '2'));
  const concurrency = Number(opt(args, 'concurrency', '2'));
  const gapMs = Number(opt(args, 'gap-ms', '1000'));
  if (coraMissing) throw new Error(coraMissing);
  let database = opt(args, 'database', '');
  let drop: (() => Promise<void>) | undefined;
  if (!database) {
    if (!process.env.GNNOPS_TEST_POSTGRES) {
      throw new Error('give --database postgres://… or set GNNOPS_TEST_POSTGRES (a fresh database is made on it)');
    }
    ({ url: database, drop } = await freshDatabase());
  }
  const root = mkdtempSync(join(tmpdir(), 'gnnops-bench-promotion-'));
  const env = { GNNOPS_DATABASE_URL: database, GNNOPS_STORAGE_URL: pathToFileURL(join(root, 'objects')).href };
  const train = ['train', 'data.name=cora', `data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=20', '--json'];
  const servers: Server[] = [];
  try {
    console.log('training cora-gcn 1 and 2 on Cora…');
    for (const [home, extra] of [
      ['a', []],
      ['b', ['train.seed=7', 'registry.auto_promote=false']],
    ] as const) {
      const r = runCli(join(root, home), [...train, ...extra], env);
      if (r.code !== 0) throw new Error(`training in ${home} failed: ${r.stderr}`);
    }
    console.log(`starting ${replicas} replicas…`);
    servers.push(
      ...(await Promise.all(
        Array.from({ length: replicas }, (_, k) =>
          startServe(join(root, `r${k}`), 'cora-gcn@production', env, ['serve.reload_poll_s=60']),
        ),
      )),
    );
    for (const s of servers) await waitReady(s.url);

    Object.assign(process.env, env, { GNNOPS_HOME: join(root, 'b') });
    const store = await openStore();
    const registry = new Registry(store);
    const loads = servers.map((s) => loadLoop(s.url, concurrency));
    await sleep(1000);
    const slowest: number[] = [];
    const lagRows: number[][] = [];
    for (let i = 0; i < promotions; i++) {
      const target = i % 2 === 0 ? 2 : 1;
      const from = loads.map((l) => l.answers.length);
      const change = await registry.promote('cora-gcn', target, 'production', { reason: `bench ${i}` });
      const at = change.audit?.at ?? Date.now();
      const firstNew = () =>
        loads.map((l, k) => {
          for (let j = from[k]; j < l.answers.length; j++) {
            const x = l.answers[j];
            if (x.at >= at && x.version === String(target)) return x.at;
          }
          return null;
        });
      const end = Date.now() + 30_000;
      while (firstNew().some((t) => t === null) && Date.now() < end) await sleep(5);
      const lags = firstNew().map((t) => (t === null ? Number.POSITIVE_INFINITY : t - at));
      lagRows.push(lags);
      slowest.push(Math.max(...lags));
      console.log(`promotion ${i + 1} → ${target}: ${lags.map((l) => `${l} ms`).join(', ')}`);
      await sleep(gapMs);
    }
    await Promise.all(loads.map((l) => l.stop()));
    const rss = servers.map((s) => peakRssMb(s.proc.pid));
    await store.close();
    const total = loads.reduce((n, l) => n + l.answers.length, 0);
    const failed = loads.reduce((n, l) => n + l.answers.filter((x) => x.status !== 200).length, 0);
    const all = lagRows.flat();
    console.log(
      JSON.stringify(
        {
          promotions,
          replicas,
          concurrency_per_replica: concurrency,
          every_replica_ms: { median: median(slowest), max: Math.max(...slowest) },
          per_replica_ms: { median: median(all), max: Math.max(...all) },
          requests: total,
          failed,
          loadavg_1m: Number(loadavg()[0].toFixed(2)),
          server_peak_rss_mb: rss,
        },
        null,
        2,
      ),
    );
  } finally {
    await stopAll(servers.map((s) => s.proc));
    await drop?.();
    rmSync(root, { recursive: true, force: true });
  }
}

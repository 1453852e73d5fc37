/**
 * Promotions reach every server: four workspaces (different GNNOPS_HOME) share nothing but one PostgreSQL store
 * URL and one artifact storage URL. A trains cora-gcn on real Cora (version 1, production); B trains version 2
 * without promoting it; two `gnnops serve` processes (C, D) follow cora-gcn@production with a 60 s poll, so only
 * the pushed notice can move them in time. Under a concurrent request loop on both, B promotes version 2: both
 * servers answer with it within 5 s of the commit, /metrics says so, and no request fails.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { coraMissing, coraRawDir } from '../data/shared-data.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';
import { repoRoot, runCli } from './_run.js';

const skip = PG_SKIP || coraMissing || false;
const root = mkdtempSync(join(tmpdir(), 'gnnops-promotion-'));
const [homeA, homeB, homeC, homeD] = ['a', 'b', 'c', 'd'].map((n) => join(root, n));
const train = ['train', 'data.name=cora', `data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=20', '--json'];

/** `gnnops serve` in `home`, following NAME@production with a long poll; resolves once it listens. */
async function startServe(home: string, env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src/cli/main.ts'),
      'serve',
      '--model',
      'cora-gcn@production',
      '--port',
      '0',
      '--json',
      'serve.reload_poll_s=60',
    ],
    { cwd: repoRoot, env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'warn', ...env } },
  );
  let err = '';
  proc.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
    });
    proc.once('exit', (code) => reject(new Error(`serve in ${home} exited with ${code}: ${err}`)));
  });
  return { proc, url };
}

interface Answer {
  at: number;
  status: number;
  version: string | null;
}

/** Keep `concurrency` requests in flight against `url` until stopped; every answer (or failure) is recorded. */
function loadLoop(url: string, concurrency: number): { answers: Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  const worker = async (w: number) => {
    let i = 0;
    while (running) {
      const ids = Array.from({ length: 8 }, (_, k) => (w * 997 + i * 31 + k * 7) % 2708);
      i++;
      try {
        const r = await fetch(`${url}/v1/predict/nodes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ node_ids: ids }),
        });
        const body = (await r.json()) as { version?: string };
        answers.push({ at: Date.now(), status: r.status, version: body.version ?? null });
      } catch {
        answers.push({ at: Date.now(), status: 0, version: null });
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function servedInfo(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('gnnops_model_info{'));
}

describe('a promotion reaches two servers on one PostgreSQL store under load', { skip }, () => {
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  const servers: { proc: ChildProcess; url: string }[] = [];
  before(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    env = { GNNOPS_DATABASE_URL: db.url, GNNOPS_STORAGE_URL: pathToFileURL(join(root, 'objects')).href };
  });
  after(async () => {
    for (const s of servers) {
      if (s.proc.exitCode === null) {
        s.proc.kill('SIGTERM');
        await once(s.proc, 'exit');
      }
    }
    await drop?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('B promotes version 2; C and D serve it within 5 s with zero non-200 responses', async () => {
    const a = runCli(homeA, train, env);
    assert.equal(a.code, 0, a.stderr);
    assert.equal((JSON.parse(a.stdout) as { model_version: number }).model_version, 1);
    const b = runCli(homeB, [...train, 'train.seed=7', 'registry.auto_promote=false'], env);
    assert.equal(b.code, 0, b.stderr);
    assert.equal((JSON.parse(b.stdout) as { model_version: number }).model_version, 2);

    servers.push(...(await Promise.all([startServe(homeC, env), startServe(homeD, env)])));
    for (const s of servers) {
      for (let i = 0; i < 600; i++) {
        if ((await fetch(`${s.url}/v2/health/ready`)).status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(await servedInfo(s.url), ['gnnops_model_info{model="cora-gcn",version="1"} 1']);
    }

    const loads = servers.map((s) => loadLoop(s.url, 4));
    await new Promise((r) => setTimeout(r, 1500)); // both under load before the promotion
    const promote = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'src/cli/main.ts'),
        'models',
        'promote',
        'cora-gcn',
        '2',
        '--alias',
        'production',
        '--json',
      ],
      { cwd: repoRoot, env: { ...process.env, GNNOPS_HOME: homeB, GNNOPS_LOG_LEVEL: 'silent', ...env } },
    );
    let out = '';
    promote.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [code] = (await once(promote, 'exit')) as [number | null];
    assert.equal(code, 0);
    const committedAt = (JSON.parse(out) as { audit: { at: number } }).audit.at;
    // Wait for both to switch (or 6 s), then keep the load on a little longer.
    for (let i = 0; i < 60; i++) {
      if (loads.every((l) => l.answers.some((x) => x.version === '2'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(loads.map((l) => l.stop()));

    const lags: number[] = [];
    for (const [k, l] of loads.entries()) {
      const bad = l.answers.filter((x) => x.status !== 200);
      assert.equal(bad.length, 0, `server ${k}: ${bad.length} of ${l.answers.length} requests failed`);
      const first = l.answers.find((x) => x.version === '2');
      assert.ok(first, `server ${k} never answered with version 2`);
      const lag = first.at - committedAt;
      lags.push(lag);
      assert.ok(lag < 5000, `server ${k} switched ${lag} ms after the commit (limit 5 s; its poll is 60 s)`);
      // A request that took the old model just before the swap may still answer after the first new one.
      const after = l.answers.filter((x) => x.at > first.at + 200);
      assert.ok(
        after.every((x) => x.version === '2'),
        `server ${k}: no answer from version 1 after the switch`,
      );
      assert.ok(
        l.answers.some((x) => x.version === '1'),
        `server ${k} served version 1 under load before the promotion`,
      );
      assert.deepEqual(await servedInfo(servers[k].url), ['gnnops_model_info{model="cora-gcn",version="2"} 1']);
    }
    const total = loads.reduce((n, l) => n + l.answers.length, 0);
    console.log(`# ${total} requests, all 200; switch after the commit: ${lags.join(' ms, ')} ms`);
  });
});

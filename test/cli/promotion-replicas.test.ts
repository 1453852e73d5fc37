/**
 * Promotions reach every server: four workspaces (different GNNOPS_HOME) share nothing but one PostgreSQL store
 * URL and one artifact storage URL. A trains cora-gcn on real Cora (version 1, production); B trains version 2
 * without promoting it; two `gnnops serve` processes (C, D) follow cora-gcn@production with a 60 s poll, so only
 * the pushed notice can move them in time. Under a concurrent request loop on both, B promotes version 2: both
 * servers answer with it within 5 s of the commit, /metrics says so, and no request fails. Then nginx from Debian
 * balances over both, and a promotion back to version 1 during load through it fails no request either.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { coraMissing, coraRawDir } from '../data/shared-data.js';
import { freshDatabase, PG_SKIP } from '../db/pg-helper.js';
import { runCli } from './_run.js';
import {
  type Answer,
  loadLoop,
  nginxMissing,
  promoteCli,
  type Server,
  servedInfo,
  startNginx,
  startServe,
  stopAll,
  waitReady,
} from './fixtures/replicas.js';

const skip = PG_SKIP || coraMissing || false;
const root = mkdtempSync(join(tmpdir(), 'gnnops-promotion-'));
const [homeA, homeB, homeC, homeD] = ['a', 'b', 'c', 'd'].map((n) => join(root, n));
const train = ['train', 'data.name=cora', `data.mirror=${coraRawDir}`, 'train.seeds=1', 'train.epochs=20', '--json'];
const info = (v: number) => [`gnnops_model_info{model="cora-gcn",version="${v}"} 1`];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until every group of answers has one from `version` (or 6 s), then keep the load on 500 ms more. */
async function untilServed(groups: readonly Answer[][], version: string): Promise<void> {
  for (let i = 0; i < 60 && !groups.every((g) => g.some((x) => x.version === version)); i++) await sleep(100);
  await sleep(500);
}

/** Every answer 200; `version` first served within 5 s of the commit, and only it from 200 ms after that. */
function checkSwitch(answers: readonly Answer[], from: string, to: string, committedAt: number, who: string): number {
  const bad = answers.filter((x) => x.status !== 200);
  assert.equal(bad.length, 0, `${who}: ${bad.length} of ${answers.length} requests failed`);
  assert.ok(
    answers.some((x) => x.version === from && x.at < committedAt),
    `${who} served ${from} under load before the promotion`,
  );
  const first = answers.find((x) => x.version === to);
  assert.ok(first, `${who} never answered with version ${to}`);
  const lag = first.at - committedAt;
  assert.ok(lag < 5000, `${who} switched ${lag} ms after the commit (limit 5 s; its poll is 60 s)`);
  // A request that took the old model just before the swap may still answer after the first new one.
  assert.ok(
    answers.filter((x) => x.at > first.at + 200).every((x) => x.version === to),
    `${who}: no answer from version ${from} after the switch`,
  );
  return lag;
}

describe('a promotion reaches two servers on one PostgreSQL store under load', { skip }, () => {
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  const servers: Server[] = [];
  before(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    env = { GNNOPS_DATABASE_URL: db.url, GNNOPS_STORAGE_URL: pathToFileURL(join(root, 'objects')).href };
  });
  after(async () => {
    await stopAll(servers.map((s) => s.proc));
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

    const started = await Promise.all(
      [homeC, homeD].map((h) => startServe(h, 'cora-gcn@production', env, ['serve.reload_poll_s=60'])),
    );
    servers.push(...started);
    for (const s of servers) {
      await waitReady(s.url);
      assert.deepEqual(await servedInfo(s.url), info(1));
    }

    const loads = servers.map((s) => loadLoop(s.url, 4));
    await sleep(1500); // both under load before the promotion
    const committedAt = await promoteCli(homeB, env, 'cora-gcn', 2);
    await untilServed(
      loads.map((l) => l.answers),
      '2',
    );
    await Promise.all(loads.map((l) => l.stop()));

    const lags = loads.map((l, k) => checkSwitch(l.answers, '1', '2', committedAt, `server ${'CD'[k]}`));
    for (const s of servers) assert.deepEqual(await servedInfo(s.url), info(2));
    const total = loads.reduce((n, l) => n + l.answers.length, 0);
    console.log(`# direct: ${total} requests, all 200; switched ${lags.join(' ms, ')} ms after the commit`);
  });

  it('through nginx in front of both: a promotion during load costs zero failed requests', {
    skip: nginxMissing,
  }, async () => {
    assert.equal(servers.length, 2, 'the servers of the test above');
    const lb = await startNginx(
      join(root, 'nginx'),
      servers.map((s) => s.url),
    );
    try {
      const load = loadLoop(lb.url, 8);
      await sleep(1500);
      const committedAt = await promoteCli(homeB, env, 'cora-gcn', 1);
      const byUpstream = () => servers.map((s) => load.answers.filter((x) => x.upstream === new URL(s.url).host));
      await untilServed(byUpstream(), '1');
      await load.stop();

      const failed = load.answers.filter((x) => x.status !== 200);
      assert.equal(failed.length, 0, `${failed.length} of ${load.answers.length} requests through nginx failed`);
      const groups = byUpstream();
      assert.equal(
        groups[0].length + groups[1].length,
        load.answers.length,
        'every answer names one of the two servers',
      );
      const lags = groups.map((g, k) => checkSwitch(g, '2', '1', committedAt, `server ${'CD'[k]} behind nginx`));
      for (const s of servers) assert.deepEqual(await servedInfo(s.url), info(1));
      console.log(
        `# nginx: ${load.answers.length} requests (${groups.map((g) => g.length).join(' + ')}), all 200; switched ${lags.join(' ms, ')} ms after the commit`,
      );
    } finally {
      await stopAll([lb.proc]);
    }
  });
});

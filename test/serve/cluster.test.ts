import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Registry } from '../../src/registry/index.js';
import { openStore } from '../../src/track/store.js';
import { exitOf, spawnServer } from './fixtures/spawn-server.js';
import { tempHome, tinyBody } from './helpers.js';

async function predict(url: string): Promise<{ status: number; version?: string; boot: string; id: string }> {
  const r = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(tinyBody),
  });
  const b = (await r.json()) as { version?: string };
  const id = r.headers.get('x-request-id') ?? '';
  return { status: r.status, version: b.version, boot: id.split('-')[0], id };
}

describe('serve.workers = 2 (Node cluster)', () => {
  it('spreads requests, sums metrics, reloads every worker, and drains all of them on SIGTERM', async () => {
    const home = tempHome();
    const store = await openStore({ home, recover: false });
    const reg = new Registry(store);
    for (const v of [1, 2])
      await reg.registerVersion({ model: 'fixture', checkpoint: new Uint8Array([v]), metrics: {} });
    await reg.promote('fixture', 1, 'production', { skipHooks: true });
    const { proc, url } = await spawnServer({
      GNNOPS_HOME: home,
      GNNOPS_API_KEY: 'k',
      SERVE_WORKERS: '2',
      SERVE_SOURCE: 'fixture@production',
      SERVE_POLL_S: '0',
    });
    const exited = exitOf(proc);
    const answered: string[] = [];
    try {
      const first = await Promise.all(Array.from({ length: 40 }, () => predict(url)));
      assert.ok(first.every((r) => r.status === 200 && r.version === '1'));
      for (const r of first) answered.push(r.id);
      assert.equal(new Set(first.map((r) => r.boot)).size, 2, 'both workers served requests');

      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^gnnops_requests_total\{route="\/predict",status="200"\} 40$/m, 'summed over workers');
      assert.match(metrics, /^gnnops_model_ready 1$/m);

      await reg.promote('fixture', 2, 'production', { skipHooks: true });
      const reload = await fetch(`${url}/v1/admin/reload`, { method: 'POST', headers: { 'x-api-key': 'k' } });
      assert.equal(reload.status, 200);
      const body = (await reload.json()) as { changed: boolean; current: { version: string } };
      assert.equal(body.changed, true);
      assert.equal(body.current.version, '2');
      const after = await Promise.all(Array.from({ length: 40 }, () => predict(url)));
      assert.ok(
        after.every((r) => r.status === 200 && r.version === '2'),
        'every worker serves the new version',
      );
      assert.equal(new Set(after.map((r) => r.boot)).size, 2);
      for (const r of after) answered.push(r.id);
    } finally {
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
      await store.close();
    }
    const db = new Database(join(home, 'gnnops.db'), { readonly: true });
    try {
      const ids = new Set(
        db
          .prepare<[], { request_id: string }>('SELECT request_id FROM request_log')
          .all()
          .map((r) => r.request_id),
      );
      assert.equal(ids.size, answered.length);
      for (const id of answered) assert.ok(ids.has(id), `request ${id} logged`);
    } finally {
      await db.close();
    }
  });
});

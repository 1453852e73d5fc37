import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { spawnServer } from './fixtures/spawn-server.js';
import { tempHome } from './helpers.js';

interface Outcome {
  status: number;
  id?: string;
  at: number;
}

/** One POST on its own connection: a status and request id, or status 0 when the connection was refused/reset. */
function post(url: string, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/predict`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, id: res.headers['x-request-id'] as string, at: Date.now() }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0, at: Date.now() }));
    req.end(body);
  });
}

describe('graceful shutdown (child process + SIGTERM)', () => {
  it('finishes every in-flight request and logs every request it answered', async () => {
    const home = tempHome();
    // each forward answers after 3 s (asynchronously), so all 40 requests are inside the server at SIGTERM
    const { proc, url } = await spawnServer({ GNNOPS_HOME: home, FIXTURE_ASYNC_DELAY_MS: '3000' });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const body = JSON.stringify({
      x: [
        [1, 0],
        [0, 3],
      ],
      edge_index: [[0], [1]],
    });
    const pending = Array.from({ length: 40 }, () => post(url, body));
    let inFlight = 0;
    for (let i = 0; i < 250 && inFlight < 41; i++) {
      const m = await (await fetch(`${url}/metrics`)).text();
      inFlight = Number(/^gnnops_requests_in_flight (\S+)/m.exec(m)?.[1] ?? 0);
      if (inFlight < 41) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(inFlight, 41, '40 requests (and the scrape) in flight');
    const killedAt = Date.now();
    proc.kill('SIGTERM');
    const outcomes = await Promise.all(pending);
    assert.equal(await exited, 0, 'clean exit after draining');
    assert.deepEqual(
      outcomes.map((o) => o.status),
      new Array(40).fill(200),
      'every request in flight at SIGTERM was answered',
    );
    assert.ok(outcomes.every((o) => o.at > killedAt));
    const refused = await post(url, body);
    assert.equal(refused.status, 0, 'the port is closed afterwards');

    const db = new Database(join(home, 'gnnops.db'), { readonly: true });
    try {
      const ids = new Set(
        db
          .prepare<[], { request_id: string }>('SELECT request_id FROM request_log')
          .all()
          .map((r) => r.request_id),
      );
      assert.equal(ids.size, 40, 'the queue was drained (flush interval 60 s: only the shutdown wrote these)');
      for (const o of outcomes) assert.ok(ids.has(o.id!), `answered request ${o.id} is in the log`);
    } finally {
      db.close();
    }
  });

  it('under busy load: requests are answered or refused, never failed, and every answer is logged', async () => {
    const home = tempHome();
    // each forward busy-waits 25 ms, so SIGTERM lands while requests queue up behind the event loop
    const { proc, url } = await spawnServer({ GNNOPS_HOME: home, FIXTURE_DELAY_MS: '25' });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const body = JSON.stringify({
      x: [
        [1, 0],
        [0, 3],
      ],
      edge_index: [[0], [1]],
    });
    const pending = Array.from({ length: 40 }, () => post(url, body));
    const first = await Promise.race(pending);
    assert.equal(first.status, 200);
    proc.kill('SIGTERM');
    const outcomes = await Promise.all(pending);
    assert.equal(await exited, 0);
    const ok = outcomes.filter((o) => o.status === 200);
    const others = outcomes.filter((o) => o.status !== 200);
    assert.ok(
      others.every((o) => o.status === 0 || o.status === 503),
      `requests not served were refused (connection closed or 503), never failed: ${others.map((o) => o.status)}`,
    );
    const db = new Database(join(home, 'gnnops.db'), { readonly: true });
    try {
      const ids = new Set(
        db
          .prepare<[], { request_id: string }>('SELECT request_id FROM request_log')
          .all()
          .map((r) => r.request_id),
      );
      for (const o of ok) assert.ok(ids.has(o.id!), `answered request ${o.id} is in the log`);
      assert.equal(ids.size, ok.length, 'and nothing else is');
    } finally {
      db.close();
    }
  });
});

describe('shutdown grace period', () => {
  it('reports not ready but keeps serving during serve.shutdown_grace_s, then closes', async () => {
    const { startServer } = await import('../../src/jobs/serve-server.js');
    const { tinyModel } = await import('./helpers.js');
    const server = await startServer({
      config: { port: 0, log_requests: false, shutdown_grace_s: 2 },
      model: tinyModel(),
      handleSignals: false,
      defaultMetrics: false,
    });
    const closed = server.close();
    const ready = await fetch(`${server.url}/v2/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { ready: false, error: 'shutting down' });
    const p = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: [[1, 0]], edge_index: [[], []] }),
    });
    assert.equal(p.status, 200, 'still serving during the grace period');
    await closed;
    await assert.rejects(fetch(`${server.url}/v2/health/live`), 'closed after the grace period');
  });
});

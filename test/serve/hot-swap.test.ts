import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../../src/jobs/serve-server.js';
import { tinyBody, tinyModel } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hot swap on a real socket', () => {
  it('serves zero failed requests while the alias moves and admin reloads swap the model', async () => {
    let production = 'tiny/1';
    const closed: string[] = [];
    const loads: string[] = [];
    const server = await startServer({
      config: { port: 0, host: '127.0.0.1', log_requests: false, reload_poll_s: 0.02 },
      source: 'tiny@production',
      resolve: async () => production,
      // loading takes a while, as a real checkpoint would; requests keep flowing to the old model meanwhile
      loader: async (ref) => {
        loads.push(ref);
        await sleep(30);
        const v = ref.split('/')[1];
        return tinyModel(v, { onClose: () => closed.push(v) });
      },
      apiKey: 'k',
      handleSignals: false,
      defaultMetrics: false,
    });
    const statuses = new Map<number, number>();
    const versions = new Set<string>();
    const served = new Map<string, number>(); // responses per version
    const failures: string[] = [];
    let stop = false;
    let sent = 0;
    const client = async () => {
      while (!stop) {
        sent++;
        try {
          const r = await fetch(`${server.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(tinyBody),
          });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          const b = (await r.json()) as { version?: string };
          if (r.status === 200 && b.version) {
            versions.add(b.version);
            served.set(b.version, (served.get(b.version) ?? 0) + 1);
          } else failures.push(`${r.status} ${JSON.stringify(b)}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      const versionNow = async () =>
        ((await (await fetch(`${server.url}/v1/models`)).json()) as { models: { version: string }[] }).models[0]
          .version;
      // move on only once the current version has answered a good number of requests (robust to a slow machine)
      const servedBy = async (v: string, n: number) => {
        for (let i = 0; i < 2000 && (served.get(v) ?? 0) < n; i++) await sleep(10);
      };
      for (let v = 2; v <= 4; v++) {
        await servedBy(String(v - 1), 30);
        production = `tiny/${v}`; // the registry alias moves; the watcher picks it up
        for (let i = 0; i < 2000 && (await versionNow()) !== String(v); i++) await sleep(10);
        assert.equal(await versionNow(), String(v));
      }
      for (let i = 0; i < 3; i++) {
        const before = served.get('4') ?? 0;
        await servedBy('4', before + 30);
        const r = await fetch(`${server.url}/v1/admin/reload`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
          body: JSON.stringify({ force: true }),
        });
        assert.equal(r.status, 200);
      }
      await servedBy('4', (served.get('4') ?? 0) + 30);
    } finally {
      stop = true;
      await Promise.all(clients);
      await server.close();
    }
    assert.deepEqual(failures, [], `failed requests: ${failures.slice(0, 3).join('; ')}`);
    assert.deepEqual([...statuses.keys()], [200]);
    assert.ok(sent > 100, `load was applied (${sent} requests)`);
    assert.deepEqual([...versions].sort(), ['1', '2', '3', '4'], 'requests were served by every version');
    assert.deepEqual(loads, ['tiny/1', 'tiny/2', 'tiny/3', 'tiny/4', 'tiny/4', 'tiny/4', 'tiny/4']);
    // every replaced model was closed once its requests were done; the last one at shutdown
    assert.equal(closed.length, 7);
  });
});

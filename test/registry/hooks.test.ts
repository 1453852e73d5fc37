import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Registry } from '../../src/registry/registry.js';
import type { RegistryEvent } from '../../src/registry/types.js';
import { openStore, type Store } from '../../src/track/store.js';

let home: string;
let store: Store;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-hooks-'));
  store = await openStore({ home });
});
after(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (b: Buffer) => {
      s += b.toString();
    });
    req.on('end', () => resolve(s));
  });

test('a promotion runs the configured shell command with NAME/VERSION/ALIAS and POSTs the webhook', async () => {
  const received: { method: string; type: string; json: RegistryEvent }[] = [];
  const server = createServer(async (req, res) => {
    received.push({
      method: req.method ?? '',
      type: req.headers['content-type'] ?? '',
      json: JSON.parse(await body(req)),
    });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const out = join(home, 'hook.out');
  const reg = new Registry(store, {
    hooks: {
      command: `printf '%s %s %s %s' "$NAME" "$VERSION" "$ALIAS" "$FROM_VERSION" > '${out}'`,
      webhook: `http://127.0.0.1:${port}/hook`,
      timeoutMs: 5000,
    },
  });
  await reg.registerVersion({ model: 'hooked', checkpoint: Buffer.from('a') });
  await reg.registerVersion({ model: 'hooked', checkpoint: Buffer.from('b') });
  await reg.promote('hooked', 1, 'production');
  const change = await reg.promote('hooked', 2, 'production');
  server.close();
  assert.deepEqual(
    change.hooks.map((h) => [h.kind, h.ok, h.status]),
    [
      ['command', true, 0],
      ['webhook', true, 204],
    ],
  );
  assert.equal(readFileSync(out, 'utf8'), 'hooked 2 production 1');
  assert.equal(received.length, 2);
  assert.equal(received[1].method, 'POST');
  assert.equal(received[1].type, 'application/json');
  assert.equal(received[1].json.id, change.event?.id);
  assert.equal(received[1].json.version, 2);
  assert.equal(received[1].json.fromVersion, 1);
});

test('a failing hook is reported but the promotion stands', async () => {
  const reg = new Registry(store, {
    hooks: { command: 'echo nope >&2; exit 3', webhook: 'http://127.0.0.1:9/x', timeoutMs: 2000 },
  });
  await reg.registerVersion({ model: 'failhook', checkpoint: Buffer.from('c') });
  const change = await reg.promote('failhook', 1, 'production');
  assert.equal((await reg.aliases('failhook')).production, 1);
  const cmd = change.hooks.find((h) => h.kind === 'command')!;
  assert.equal(cmd.ok, false);
  assert.equal(cmd.status, 3);
  assert.equal(cmd.error, 'nope');
  assert.equal(change.hooks.find((h) => h.kind === 'webhook')!.ok, false);
});

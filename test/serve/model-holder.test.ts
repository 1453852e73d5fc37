import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServedModel } from '../../src/serve/model.js';
import { ModelHolder } from '../../src/serve/model-holder.js';
import { tinyApp, tinyBody, tinyModel } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An async model (as ONNX Runtime is): each forward takes `ms`; records when it is closed. */
function slowModel(version: string, ms: number, events: string[]): ServedModel {
  const base = tinyModel(version);
  return {
    ...base,
    async predictSubgraph(x, n, src, dst) {
      events.push(`start ${version}`);
      await sleep(ms);
      events.push(`end ${version}`);
      return base.predictSubgraph(x, n, src, dst);
    },
    close() {
      events.push(`close ${version}`);
    },
  };
}

describe('model holder', () => {
  it('a swap during an async forward lets the request finish on the old model, then closes it', async () => {
    const events: string[] = [];
    const s = await tinyApp({
      model: slowModel('1', 300, events),
      source: 'tiny@production',
      resolve: async () => 'tiny/2',
      loader: async () => slowModel('2', 0, events),
    });
    try {
      const inflight = s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      for (let i = 0; i < 500 && !events.includes('start 1'); i++) await sleep(2);
      const r = await s.app.inject({ method: 'POST', url: '/v1/admin/reload', headers: { 'x-api-key': 'secret-key' } });
      assert.equal(r.json().current.version, '2');
      assert.ok(!events.includes('close 1'), 'the old model is not closed while a request uses it');
      const after = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      assert.equal(after.json().version, '2');
      const old = await inflight;
      assert.equal(old.statusCode, 200);
      assert.equal(old.json().version, '1');
      assert.deepEqual(events.slice(0, 1), ['start 1']);
      assert.ok(events.indexOf('close 1') > events.indexOf('end 1'), events.join(', '));
    } finally {
      await s.app.close();
    }
  });

  it('serialises concurrent reloads and keeps the model when a load fails', async () => {
    const order: string[] = [];
    let fail = false;
    const holder = new ModelHolder({
      load: async (ref) => {
        order.push(`load ${ref}`);
        await sleep(10);
        if (fail) throw new Error('broken checkpoint');
        return tinyModel(ref.split('/')[1]);
      },
    });
    const [a, b] = await Promise.all([holder.reload({ source: 'tiny/1' }), holder.reload({ source: 'tiny/2' })]);
    assert.equal(a.current.ref, 'tiny/1');
    assert.equal(b.current.ref, 'tiny/2');
    assert.equal(b.previous?.ref, 'tiny/1');
    assert.deepEqual(order, ['load tiny/1', 'load tiny/2']);
    fail = true;
    await assert.rejects(holder.reload({ force: true }), /broken checkpoint/);
    assert.equal(holder.current?.ref, 'tiny/2');
    fail = false;
    assert.equal((await holder.reload({ force: true })).changed, true, 'a failure does not block later reloads');
    await holder.close();
  });

  it('acquire before anything is loaded is a 503-class error', () => {
    const holder = new ModelHolder({ load: async () => tinyModel() });
    assert.throws(() => holder.acquire(), /no model is loaded yet/);
  });

  it('a pushed notice resolves at once, and one arriving during a slow resolve is not lost', async () => {
    let target = 'tiny/1';
    let resolves = 0;
    let push: (() => void) | undefined;
    let stopped = false;
    const holder = new ModelHolder({
      load: async (ref) => tinyModel(ref.split('/')[1]),
      resolve: async () => {
        resolves++;
        const now = target;
        await sleep(100);
        return now;
      },
      subscribe: async (onChange) => {
        push = onChange;
        return async () => {
          stopped = true;
        };
      },
    });
    holder.source = 'tiny@production';
    await holder.reload();
    holder.watch(60_000);
    for (let i = 0; i < 100 && !push; i++) await sleep(2);
    assert.ok(push, 'the watcher subscribed');
    for (let i = 0; i < 200 && resolves < 2; i++) await sleep(5); // the check right after subscribing
    await sleep(150); // … has ended
    // The alias moves while a resolve (started by the first notice) is still reading the old value.
    push();
    await sleep(20);
    target = 'tiny/2';
    push();
    for (let i = 0; i < 200 && holder.current?.ref !== 'tiny/2'; i++) await sleep(5);
    assert.equal(holder.current?.ref, 'tiny/2', 'the second notice ran a check after the first one ended');
    await holder.close();
    assert.equal(stopped, true, 'close stops the subscription');
  });

  it('a subscription that fails (store unreachable) is tried again at the next poll', async () => {
    let attempts = 0;
    const holder = new ModelHolder({
      load: async (ref) => tinyModel(ref.split('/')[1]),
      resolve: async () => 'tiny/1',
      subscribe: async () => {
        attempts++;
        if (attempts === 1) throw new Error('cannot reach the store');
        return async () => {};
      },
    });
    holder.source = 'tiny@production';
    await holder.reload();
    holder.watch(50);
    for (let i = 0; i < 200 && attempts < 2; i++) await sleep(5);
    await sleep(200);
    await holder.close();
    assert.equal(attempts, 2, 'retried once after the failure, then kept the subscription');
  });
});

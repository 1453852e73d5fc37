import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildServeApp } from '../../src/jobs/serve-app.js';
import { tinyApp, tinyBody, tinyModel } from './helpers.js';

const reload = { method: 'POST' as const, url: '/v1/admin/reload' };

describe('API keys and CORS', () => {
  it('admin routes need the key (x-api-key or Bearer); public routes stay open by default', async () => {
    const s = await tinyApp({ source: 'tiny/1', resolve: async (x) => x });
    try {
      assert.equal((await s.app.inject(reload)).statusCode, 401);
      const wrong = await s.app.inject({ ...reload, headers: { 'x-api-key': 'nope' } });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'E_UNAUTHORIZED');
      assert.match(wrong.json().error, /x-api-key/);
      assert.equal((await s.app.inject({ ...reload, headers: { 'x-api-key': 'secret-key' } })).statusCode, 200);
      const bearer = await s.app.inject({ ...reload, headers: { authorization: 'Bearer secret-key' } });
      assert.equal(bearer.statusCode, 200);
      assert.equal((await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody })).statusCode, 200);
    } finally {
      await s.app.close();
    }
  });

  it('admin routes are closed (403) when no key is configured', async () => {
    const s = await tinyApp({ apiKey: undefined });
    const saved = process.env.GNNOPS_API_KEY;
    try {
      delete process.env.GNNOPS_API_KEY;
      const t = await buildServeApp({ model: tinyModel(), defaultMetrics: false });
      const r = await t.app.inject({ ...reload, headers: { 'x-api-key': '' } });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().code, 'E_FORBIDDEN');
      await t.app.close();
    } finally {
      if (saved !== undefined) process.env.GNNOPS_API_KEY = saved;
      await s.app.close();
    }
  });

  it('require_api_key protects the public routes but not health and metrics', async () => {
    const s = await tinyApp({ config: { require_api_key: true } });
    try {
      const r = await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      assert.equal(r.statusCode, 401);
      const ok = await s.app.inject({
        method: 'POST',
        url: '/predict',
        payload: tinyBody,
        headers: { authorization: 'bearer secret-key' },
      });
      assert.equal(ok.statusCode, 200);
      assert.equal((await s.app.inject({ url: '/v1/models' })).statusCode, 401);
      assert.equal((await s.app.inject({ url: '/v2/models/tiny' })).statusCode, 401);
      assert.equal((await s.app.inject({ url: '/v2/health/ready' })).statusCode, 200);
      assert.equal((await s.app.inject({ url: '/metrics' })).statusCode, 200);
    } finally {
      await s.app.close();
    }
  });

  it('refuses to start with require_api_key but no key', async () => {
    const saved = process.env.GNNOPS_API_KEY;
    delete process.env.GNNOPS_API_KEY;
    try {
      await assert.rejects(
        buildServeApp({ model: tinyModel(), config: { require_api_key: true }, defaultMetrics: false }),
        /GNNOPS_API_KEY is not set/,
      );
    } finally {
      if (saved !== undefined) process.env.GNNOPS_API_KEY = saved;
    }
  });

  it('CORS answers only the configured origins', async () => {
    const s = await tinyApp({ config: { cors_origins: ['https://app.example'] } });
    const off = await tinyApp();
    try {
      const pre = (origin: string) => ({
        method: 'OPTIONS' as const,
        url: '/predict',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      const yes = await s.app.inject(pre('https://app.example'));
      assert.equal(yes.statusCode, 204);
      assert.equal(yes.headers['access-control-allow-origin'], 'https://app.example');
      const no = await s.app.inject(pre('https://evil.example'));
      assert.equal(no.headers['access-control-allow-origin'], undefined);
      const get = await off.app.inject({ url: '/v2/health/live', headers: { origin: 'https://app.example' } });
      assert.equal(get.headers['access-control-allow-origin'], undefined, 'CORS off by default');
    } finally {
      await s.app.close();
      await off.app.close();
    }
  });
});

describe('POST /v1/admin/reload', () => {
  const key = { 'x-api-key': 'secret-key' };

  it('swaps when the alias moved, is a no-op when it did not, and closes the old model', async () => {
    const aliases: Record<string, string> = { 'tiny@production': 'tiny/1', 'tiny@staging': 'tiny/9' };
    const closed: string[] = [];
    const load = async (ref: string) => {
      const v = ref.split('/')[1];
      return tinyModel(v, { onClose: () => closed.push(v) });
    };
    const s = await tinyApp({
      model: await load('tiny/1'),
      modelRef: 'tiny/1',
      source: 'tiny@production',
      resolve: async (src) => aliases[src] ?? src,
      loader: load,
    });
    try {
      const same = await s.app.inject({ ...reload, headers: key });
      assert.deepEqual(same.json(), { changed: false, current: { name: 'tiny', version: '1', ref: 'tiny/1' } });

      aliases['tiny@production'] = 'tiny/2';
      const moved = (await s.app.inject({ ...reload, headers: key })).json();
      assert.equal(moved.changed, true);
      assert.equal(moved.current.version, '2');
      assert.equal(moved.previous.version, '1');
      assert.deepEqual(closed, ['1']);
      const b = (await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody })).json();
      assert.equal(b.version, '2');

      const forced = (await s.app.inject({ ...reload, headers: key, payload: { force: true } })).json();
      assert.equal(forced.changed, true);

      const other = (await s.app.inject({ ...reload, headers: key, payload: { model: 'tiny@staging' } })).json();
      assert.equal(other.current.version, '9');
      const [m] = (await s.app.inject({ url: '/v1/models' })).json().models;
      assert.equal(m.source, 'tiny@staging');
      assert.equal(m.ref, 'tiny/9');
    } finally {
      await s.app.close();
    }
  });

  it('a failed load keeps serving the old model', async () => {
    const s = await tinyApp({
      source: 'tiny@production',
      resolve: async () => 'tiny/2',
      loader: async () => {
        const { GnnopsError, ErrorCodes } = await import('../../src/util/errors.js');
        throw new GnnopsError(ErrorCodes.CHECKPOINT_INVALID, 'checkpoint tiny/2: header is truncated');
      },
    });
    try {
      const r = await s.app.inject({ ...reload, headers: key });
      assert.equal(r.statusCode, 422);
      assert.match(r.json().error, /truncated/);
      const b = (await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody })).json();
      assert.equal(b.version, '1');
      assert.match((await s.app.inject({ url: '/metrics' })).body, /gnnops_model_reloads_total\{result="failed"\} 1/);
    } finally {
      await s.app.close();
    }
  });
});

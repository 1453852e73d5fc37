import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tinyApp, tinyBody, tinyModel } from './helpers.js';

/** The value of one sample line of the Prometheus text format, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('Prometheus metrics', () => {
  it('counts requests by route and status, durations, inference, predictions by class, model info', async () => {
    const s = await tinyApp({ defaultMetrics: true });
    try {
      await s.app.inject({ method: 'POST', url: '/predict', payload: tinyBody });
      await s.app.inject({ method: 'POST', url: '/predict', payload: { x: [], edge_index: [[], []] } });
      await s.app.inject({ method: 'POST', url: '/v1/predict/nodes', payload: { node_ids: [2] } });
      const r = await s.app.inject({ url: '/metrics' });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const t = r.body;
      assert.equal(sample(t, 'gnnops_requests_total{route="/predict",status="200"}'), 1);
      assert.equal(sample(t, 'gnnops_requests_total{route="/predict",status="422"}'), 1);
      assert.equal(sample(t, 'gnnops_requests_total{route="/v1/predict/nodes",status="200"}'), 1);
      assert.equal(sample(t, 'gnnops_request_duration_seconds_count{route="/predict"}'), 2);
      assert.equal(sample(t, 'gnnops_inference_duration_seconds_count{kind="subgraph"}'), 1);
      assert.equal(sample(t, 'gnnops_inference_duration_seconds_count{kind="nodes"}'), 1);
      // /predict: nodes → left, right; /v1/predict/nodes [2] → right
      assert.equal(sample(t, 'gnnops_predictions_total{class="left"}'), 1);
      assert.equal(sample(t, 'gnnops_predictions_total{class="right"}'), 2);
      assert.equal(sample(t, 'gnnops_model_info{model="tiny",version="1"}'), 1);
      assert.equal(sample(t, 'gnnops_model_ready'), 1);
      assert.equal(sample(t, 'gnnops_requests_in_flight'), 1, 'only the scrape itself is in flight');
      assert.equal(sample(t, 'gnnops_request_log_dropped_total'), 0);
      assert.ok(sample(t, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');
      assert.ok(sample(t, 'gnnops_request_duration_seconds_bucket{le="30",route="/predict"}') === 2);
    } finally {
      await s.app.close();
    }
  });

  it('uses the configured histogram buckets', async () => {
    const s = await tinyApp({ config: { latency_buckets: [0.5, 7, 30] } });
    try {
      await s.app.inject({ url: '/v2/health/live' });
      const t = (await s.app.inject({ url: '/metrics' })).body;
      const les = [...t.matchAll(/gnnops_request_duration_seconds_bucket\{le="([^"]+)",route="\/v2\/health\/live"\}/g)];
      assert.deepEqual(
        les.map((m) => m[1]),
        ['0.5', '7', '30', '+Inf'],
      );
    } finally {
      await s.app.close();
    }
  });

  it('shows requests in flight while a reload is loading', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let loading = false;
    const s = await tinyApp({
      source: 'tiny@production',
      resolve: async () => 'tiny/2',
      loader: async () => {
        loading = true;
        await gate;
        return tinyModel('2');
      },
    });
    try {
      const pending = s.app.inject({ method: 'POST', url: '/v1/admin/reload', headers: { 'x-api-key': 'secret-key' } });
      for (let i = 0; i < 1000 && !loading; i++) await new Promise((r) => setTimeout(r, 5));
      const during = (await s.app.inject({ url: '/metrics' })).body;
      assert.equal(sample(during, 'gnnops_requests_in_flight'), 2, 'the reload and the scrape');
      release();
      assert.equal((await pending).statusCode, 200);
      const afterSwap = (await s.app.inject({ url: '/metrics' })).body;
      assert.equal(sample(afterSwap, 'gnnops_requests_in_flight'), 1);
      assert.equal(sample(afterSwap, 'gnnops_model_info{model="tiny",version="2"}'), 1);
      assert.equal(sample(afterSwap, 'gnnops_model_info{model="tiny",version="1"}'), undefined, 'old version gone');
      assert.equal(sample(afterSwap, 'gnnops_model_reloads_total{result="swapped"}'), 1);
    } finally {
      await s.app.close();
    }
  });

  it('publishes drift gauges from the drift check and serves GET /v1/drift', async () => {
    let calls = 0;
    const s = await tinyApp({
      config: { drift_interval_s: 0 },
      driftCheck: async () => {
        calls++;
        return { driftShare: 0.25, driftedFeatures: 75, predictionDriftScore: 0.125, window: 500 };
      },
    });
    try {
      const before = (await s.app.inject({ url: '/metrics' })).body;
      assert.equal(sample(before, 'gnnops_drift_share'), 0);
      const d = await s.app.inject({ url: '/v1/drift' });
      assert.equal(d.statusCode, 200);
      assert.equal(d.json().driftShare, 0.25);
      assert.equal(d.json().window, 500);
      const t = (await s.app.inject({ url: '/metrics' })).body;
      assert.equal(sample(t, 'gnnops_drift_share'), 0.25);
      assert.equal(sample(t, 'gnnops_drifted_features'), 75);
      assert.equal(sample(t, 'gnnops_prediction_drift_score'), 0.125);
      assert.equal(calls, 1);
    } finally {
      await s.app.close();
    }
  });

  it('runs the drift check on its interval; a failing check keeps the last gauges', async () => {
    let n = 0;
    const s = await tinyApp({
      config: { drift_interval_s: 0.02 },
      driftCheck: async () => {
        n++;
        if (n > 1) throw new Error('store busy');
        return { driftShare: 0.5, driftedFeatures: 1, predictionDriftScore: 0 };
      },
    });
    try {
      for (let i = 0; i < 500 && n < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(n >= 3, `interval ran the check (${n} times)`);
      assert.equal(sample((await s.app.inject({ url: '/metrics' })).body, 'gnnops_drift_share'), 0.5);
    } finally {
      await s.app.close();
    }
  });

  it('GET /v1/drift is 503 without a drift check', async () => {
    const s = await tinyApp();
    try {
      const r = await s.app.inject({ url: '/v1/drift' });
      assert.equal(r.statusCode, 503);
      assert.match(r.json().error, /not configured/);
    } finally {
      await s.app.close();
    }
  });
});

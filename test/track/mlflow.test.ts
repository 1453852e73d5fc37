import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { chunkLogBatch, exportRunsToMlflow, MLFLOW_LIMITS } from '../../src/track/mlflow.js';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { startFakeMlflow } from './fixtures/fake-mlflow.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let home: string;
let store: Store;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-mlflow-'));
  store = await openStore({ home });
});
after(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('chunkLogBatch', () => {
  test('keeps every item in order and each request within the limits', async () => {
    const kv = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: String(i) }));
    const params = kv(250, 'p');
    const tags = kv(150, 't');
    const metrics = Array.from({ length: 2100 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
    const batches = chunkLogBatch(params, tags, metrics);
    for (const b of batches) {
      assert.ok(b.params.length <= MLFLOW_LIMITS.params);
      assert.ok(b.tags.length <= MLFLOW_LIMITS.tags);
      assert.ok(b.metrics.length <= MLFLOW_LIMITS.metrics);
      assert.ok(b.params.length + b.tags.length + b.metrics.length <= MLFLOW_LIMITS.total);
    }
    assert.deepEqual(
      batches.flatMap((b) => b.params),
      params,
    );
    assert.deepEqual(
      batches.flatMap((b) => b.tags),
      tags,
    );
    assert.deepEqual(
      batches.flatMap((b) => b.metrics),
      metrics,
    );
    // 2100 metrics + 400 other entities need at least ceil(2500 / 1000) = 3 requests; params need 3 on their own.
    assert.equal(batches.length, 3);
    assert.deepEqual(chunkLogBatch([], [], []), []);
  });
});

describe('exportRunsToMlflow', () => {
  test('pushes params, every metric point, tags and the final status through validated requests', async () => {
    const tracker = new Tracker(store, { experiment: 'wikics-gcn' });
    const config = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const r = await tracker.startRun({
      name: 'big',
      config: { sweep: config },
      dataset: { name: 'wikics', hash: 'dh' },
      git: { sha: 'c'.repeat(40), dirty: true },
      tags: { note: 'x'.repeat(6000) },
    });
    for (let e = 0; e < 200; e++) {
      r.logMetrics(Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`m${k}`, e + k / 100])), e);
    }
    r.logMetric('nan_metric', Number.NaN);
    await r.logArtifact('checkpoint', Buffer.from('w'), 'checkpoint');
    await r.end('finished');

    const fake = await startFakeMlflow();
    try {
      const [res] = await exportRunsToMlflow(tracker, [r.id], { url: fake.url });
      assert.deepEqual(fake.violations, []);
      assert.equal(res.skipped, false);
      assert.equal(res.metrics, 200 * 12 + 1);
      assert.equal(res.params, 150);
      assert.deepEqual(res.truncated, ['note'], 'the 6000-char tag is cut to the 5000 guaranteed');
      const paths = fake.calls.map((c) => c.path);
      assert.deepEqual(paths.slice(0, 3), ['experiments/get-by-name', 'experiments/create', 'runs/create']);
      assert.equal(paths.at(-1), 'runs/update');
      assert.equal(
        paths.filter((p) => p === 'runs/log-batch').length,
        3,
        '2401 metrics + 150 params + 2 tags = 2553 entities → 3 batches',
      );

      const remote = fake.runs.get(res.remoteRunId)!;
      assert.equal(remote.experimentId, fake.experiments.get('wikics-gcn'));
      assert.equal(remote.runName, 'big');
      assert.equal(remote.status, 'FINISHED');
      const rec = await tracker.getRun(r.id);
      assert.equal(remote.startTime, rec.startTime);
      assert.equal(remote.endTime, rec.endTime);
      assert.equal(remote.params.get('sweep.k149'), '149');
      assert.equal(remote.tags.get('mlflow.source.git.commit'), 'c'.repeat(40));
      assert.equal(remote.tags.get('gnnops.dataset.hash'), 'dh');
      assert.match(remote.tags.get('gnnops.artifact.checkpoint') ?? '', /^checkpoint sha256:[0-9a-f]{64} 1 B$/);
      const m5 = remote.metrics.filter((m) => m.key === 'm5');
      assert.deepEqual(
        m5.map((m) => [m.step, m.value]),
        (await tracker.metricHistory(r.id, 'm5')).map((p) => [p.step, p.value]),
      );
      assert.deepEqual(
        remote.metrics.filter((m) => m.key === 'nan_metric').map((m) => m.value),
        ['NaN'],
      );

      // Exported once per server unless forced; the experiment now exists and is found by name.
      const [again] = await exportRunsToMlflow(tracker, [r.id], { url: fake.url });
      assert.equal(again.skipped, true);
      assert.equal(again.remoteRunId, res.remoteRunId);
      const before = fake.calls.length;
      const [forced] = await exportRunsToMlflow(tracker, [r.id], { url: `${fake.url}/`, force: true });
      assert.notEqual(forced.remoteRunId, res.remoteRunId);
      assert.equal(fake.calls[before].path, 'experiments/get-by-name');
      assert.notEqual(fake.calls[before + 1].path, 'experiments/create', 'the existing experiment is reused');
      assert.deepEqual(fake.violations, []);
    } finally {
      await fake.close();
    }
  });

  test('server errors and bad URLs are user errors', async () => {
    const tracker = new Tracker(store);
    const r = await tracker.startRun({ git: null });
    await r.end();
    await assert.rejects(exportRunsToMlflow(tracker, [r.id], { url: 'not a url' }), /not a valid URL/);
    await assert.rejects(exportRunsToMlflow(tracker, [r.id], { url: 'ftp://x' }), /must be http/);
    await assert.rejects(exportRunsToMlflow(tracker, [r.id], { url: 'http://127.0.0.1:9' }), /MLflow GET .* failed/);
  });

  test('CLI: gnnops runs export RUN --mlflow URL', async () => {
    const tracker = new Tracker(store, { experiment: 'cli-exp' });
    const r = await tracker.startRun({ name: 'cli-run', git: null, params: { lr: 0.01, long: 'y'.repeat(600) } });
    r.logMetric('val_acc', 0.5, 0);
    r.logMetric('val_acc', 0.6, 1);
    await r.end('killed');
    const fake = await startFakeMlflow({ existing: ['cli-exp'] });
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          'runs',
          'export',
          r.id.slice(0, 10),
          '--mlflow',
          fake.url,
          '--max-param-length',
          '500',
          '--json',
        ],
        { cwd: repo, env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' } },
      );
      const out = JSON.parse(stdout) as { remoteRunId: string; metrics: number }[];
      assert.equal(out.length, 1);
      assert.equal(out[0].metrics, 2);
      const remote = fake.runs.get(out[0].remoteRunId)!;
      assert.equal(remote.status, 'KILLED');
      assert.equal(remote.experimentId, '1');
      assert.equal(remote.params.get('lr'), '0.01');
      assert.equal(remote.params.get('long'), 'y'.repeat(500), 'cut for pre-2.8 servers as asked');
      assert.deepEqual(fake.violations, []);
      assert.ok(!fake.calls.some((c) => c.path === 'experiments/create'));
    } finally {
      await fake.close();
    }
  });
});

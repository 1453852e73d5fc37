import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyDrift, sampleRows, syntheticWindow } from '../../../src/monitor/synthetic.js';
import { requestLogMigrations } from '../../../src/request-log/schema.js';
import { openStore } from '../../../src/track/store.js';
import { runCli } from '../_run.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-drift-cli-'));
after(async () => rmSync(home, { recursive: true, force: true }));

const gnnops = (args: string[]) => runCli(home, args);

function writeRows(path: string, w: ReturnType<typeof sampleRows>): void {
  const rows = Array.from({ length: w.rows }, (_, r) => Array.from(w.features.subarray(r * w.cols, (r + 1) * w.cols)));
  writeFileSync(
    path,
    JSON.stringify({ features: rows, predictions: Array.from(w.predictions), degrees: Array.from(w.degrees) }),
  );
}

const ref = syntheticWindow({ rows: 1500, cols: 8, seed: 1 });
writeRows(join(home, 'ref.json'), ref);
writeRows(join(home, 'clean.json'), sampleRows(ref, 600, 2));
writeRows(join(home, 'drifted.json'), applyDrift(sampleRows(ref, 600, 3), { shift: 0.5, classMix: 0.4, toClass: 1 }));

describe('gnnops drift', () => {
  it('profile --rows-file writes a profile; report --json on clean traffic finds no drift', async () => {
    const p = gnnops([
      'drift',
      'profile',
      '--rows-file',
      join(home, 'ref.json'),
      '--out',
      join(home, 'p.json'),
      '--json',
    ]);
    assert.equal(p.code, 0, p.stderr);
    const summary = JSON.parse(p.stdout) as { rows: number; cols: number; predictions: number };
    assert.deepEqual([summary.rows, summary.cols, summary.predictions], [1500, 8, 1500]);
    const r = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--current',
      join(home, 'clean.json'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as { summary: { drifted: boolean }; features: { test: string; hist?: unknown }[] };
    assert.equal(rep.summary.drifted, false);
    assert.equal(rep.features[0].test, 'wasserstein');
    assert.equal(rep.features[0].hist, undefined);
    // The identifiers of what was compared: a profile file, not a registered model; no report file was asked for.
    const ids = rep as unknown as Record<string, unknown>;
    assert.equal(ids.profile_file, join(home, 'p.json'));
    assert.equal(ids.model_name, null);
    assert.equal(ids.model_version, null);
    assert.equal(ids.report_path, null);
  });

  it('report --out writes the HTML report for drifted traffic, honouring --method and overrides', async () => {
    const out = join(home, 'report.html');
    const r = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--current',
      join(home, 'drifted.json'),
      '--out',
      out,
      '--method',
      'psi',
      'drift.psi_bins=20',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dataset drift: YES \(8\/8 features/);
    assert.match(r.stdout, /prediction drift: YES/);
    assert.match(r.stdout, /PSI/);
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8'), /<h2>Prediction drift<\/h2>/);

    // --json gives the report's path for a script to publish or open.
    const j = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--current',
      join(home, 'drifted.json'),
      '--out',
      join(home, 'r2.json'),
      '--json',
    ]);
    assert.equal(j.code, 0, j.stderr);
    assert.equal((JSON.parse(j.stdout) as { report_path: string }).report_path, join(home, 'r2.json'));
    assert.ok(existsSync(join(home, 'r2.json')));
  });

  it('reads the current window from the request log of the workspace store (--window)', async () => {
    const store = await openStore({ home, recover: false });
    await store.migrate(requestLogMigrations);
    const w = applyDrift(sampleRows(ref, 400, 5), { shift: 0.6 });
    const insert = store.db.prepare(
      `INSERT INTO request_log (ts, request_id, item, route, model, version, kind, num_nodes, num_edges, num_features,
        mean_degree, max_degree, sampled, features, node_ids, degrees, predictions, confidence, inference_ms)
       VALUES (?, ?, 0, '/predict', 'gcn', '1', 'subgraph', 4, 6, 8, 1.5, 3, 1, ?, NULL, ?, ?, ?, 1.0)`,
    );
    const blob = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    // Served confidences of a known mean, so the report's label-free estimate can be checked: request i has
    // top-class probability 0.5 + 0.1 · (i mod 5) on each of its 4 nodes.
    const conf = (i: number) => Math.fround(0.5 + 0.1 * (i % 5));
    for (let r = 0, i = 0; r < w.rows; r += 4, i++)
      insert.run(
        Date.now() - 1000 + i,
        `req${i}`,
        blob(w.features.slice(r * 8, (r + 4) * 8)),
        blob(w.degrees.slice(r, r + 4)),
        blob(w.predictions.slice(r, r + 4)),
        blob(new Float32Array(4).fill(conf(i))),
      );
    await store.close();
    const r = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--window',
      '50',
      '--since',
      '1h',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as { current: { rows: number }; summary: { drifted: boolean } };
    assert.equal(rep.current.rows, 200); // the last 50 requests × 4 nodes
    assert.equal(rep.summary.drifted, true);

    // the label-free estimate of the one version in the window: requests 50..99 of the log
    const est = (JSON.parse(r.stdout) as { accuracyEstimate: Record<string, unknown>[] }).accuracyEstimate;
    assert.equal(est.length, 1);
    const e = est[0] as { model: string; version: string; n: number; requests: number; estimated: number };
    assert.deepEqual([e.model, e.version, e.n, e.requests], ['gcn', '1', 200, 50]);
    let sum = 0;
    for (let i = 50; i < 100; i++) sum += conf(i);
    assert.ok(Math.abs(e.estimated - sum / 50) < 1e-9, `${e.estimated} vs ${sum / 50}`);
    const full = est[0] as { low: number; high: number; testAccuracy: unknown; calibration: string; warning: string };
    assert.ok(full.low < e.estimated && e.estimated < full.high);
    assert.equal(full.testAccuracy, null, 'gcn/1 is not in the registry');
    assert.equal(full.calibration, 'unknown');
    assert.match(full.warning, /registry does not know this version/);

    const human = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--window',
      '50',
      '--out',
      join(home, 'log.html'),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`estimated accuracy of gcn/1: ${((sum / 50) * 100).toFixed(1)}% \\(95% interval`),
    );
    assert.match(human.stdout, /test accuracy unknown/);
    const html = readFileSync(join(home, 'log.html'), 'utf8');
    assert.match(html, /Estimated accuracy \(label-free\)/);
    assert.match(html, new RegExp(`${((sum / 50) * 100).toFixed(1)}%`));
    assert.match(html, /per predicted class/);

    // a window file carries no served confidences: no estimate field
    const file = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--current',
      join(home, 'clean.json'),
      '--json',
    ]);
    assert.equal((JSON.parse(file.stdout) as { accuracyEstimate?: unknown }).accuracyEstimate, undefined);
    const none = gnnops(['drift', 'report', '--reference', join(home, 'p.json'), '--model', 'other']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no sampled feature rows/);
  });

  it('exits 2 with a message naming the problem', async () => {
    const missing = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'nope.json'),
      '--current',
      join(home, 'clean.json'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json/);
    const badKey = gnnops([
      'drift',
      'report',
      '--reference',
      join(home, 'p.json'),
      '--current',
      join(home, 'clean.json'),
      'drift.share_threshold=2',
    ]);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /drift\.share_threshold/);
    const both = gnnops(['drift', 'profile', '--rows-file', 'a', '--dataset', 'synthetic']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of/);
  });
});

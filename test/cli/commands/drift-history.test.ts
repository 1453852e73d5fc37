/**
 * `gnnops drift history` and `gnnops drift report --replica` read the store of GNNOPS_DATABASE_URL (the workspace's
 * SQLite file by default, or a shared PostgreSQL database). Fixture: two replicas' request-log rows, one serving
 * clean traffic and one shifted traffic of a synthetic 8-feature profile, and three stored drift checks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDatabaseUrl } from '../../../src/db/index.js';
import { checkRecord, recordDriftCheck } from '../../../src/monitor/drift-history.js';
import { openLogStore } from '../../../src/monitor/log-store.js';
import { applyDrift, sampleRows, syntheticWindow } from '../../../src/monitor/synthetic.js';
import { insertRequestLog } from '../../../src/request-log/insert.js';
import type { RequestLogEntry } from '../../../src/request-log/types.js';
import { freshDatabase, PG_SKIP } from '../../db/pg-helper.js';
import { runCli } from '../_run.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-drift-history-'));
after(() => rmSync(home, { recursive: true, force: true }));

const ref = syntheticWindow({ rows: 1500, cols: 8, seed: 1 });
const rowsOf = (w: ReturnType<typeof sampleRows>) =>
  Array.from({ length: w.rows }, (_, r) => Array.from(w.features.subarray(r * w.cols, (r + 1) * w.cols)));
writeFileSync(
  join(home, 'ref.json'),
  JSON.stringify({ features: rowsOf(ref), predictions: Array.from(ref.predictions), degrees: Array.from(ref.degrees) }),
);
const profiled = runCli(home, [
  'drift',
  'profile',
  '--rows-file',
  join(home, 'ref.json'),
  '--out',
  join(home, 'p.json'),
]);
assert.equal(profiled.code, 0, profiled.stderr);

/** Requests of 4 nodes each, from a window of feature rows. */
function requests(w: ReturnType<typeof sampleRows>, tag: string): RequestLogEntry[] {
  const out: RequestLogEntry[] = [];
  for (let r = 0, i = 0; r < w.rows; r += 4, i++)
    out.push({
      ts: Date.now() - 10_000 + i,
      requestId: `${tag}${i}`,
      item: 0,
      route: '/predict',
      model: 'gcn',
      version: '1',
      kind: 'subgraph',
      numNodes: 4,
      numEdges: 6,
      numFeatures: 8,
      meanDegree: 1.5,
      maxDegree: 3,
      features: w.features.slice(r * 8, (r + 4) * 8),
      nodeIds: null,
      degrees: Int32Array.from(w.degrees.slice(r, r + 4)),
      predictions: Int32Array.from(w.predictions.slice(r, r + 4)),
      confidence: new Float32Array(4).fill(0.8),
      temperature: 1,
      inferenceMs: 1,
    });
  return out;
}

async function fill(url: string): Promise<void> {
  const { db } = await openLogStore(parseDatabaseUrl(url, home));
  try {
    await insertRequestLog(db, requests(sampleRows(ref, 400, 2), 'c'), 'clean-1');
    await insertRequestLog(db, requests(applyDrift(sampleRows(ref, 400, 3), { shift: 0.8 }), 's'), 'shifted-2');
    const snap = (share: number) => ({
      available: true,
      requests: 200,
      currentRows: 800,
      drifted: share >= 0.5,
      driftShare: share,
      driftedFeatures: Math.round(share * 8),
      numFeatures: 8,
      shareThreshold: 0.5,
      predictionDriftScore: 0.05,
      predictionDrifted: false,
      estimates: [{ model: 'gcn', version: '1', n: 800, estimated: 0.7, testAccuracy: 0.8 }],
    });
    const served = { model: 'gcn', version: '1' };
    const t0 = Date.UTC(2026, 0, 10, 12);
    await recordDriftCheck(db, checkRecord(snap(0.125), { ts: t0, leader: 'clean-1', served }));
    await recordDriftCheck(db, checkRecord(snap(0.75), { ts: t0 + 60_000, leader: 'shifted-2', served }));
    await recordDriftCheck(db, checkRecord(snap(0.875), { ts: t0 + 120_000, leader: 'clean-1', served }));
  } finally {
    await db.close();
  }
}

function suite(url: () => string): void {
  const gnnops = (args: string[]) => runCli(home, args, { GNNOPS_DATABASE_URL: url() });

  it('drift report --replica compares one server’s requests; without it, the union of every replica', () => {
    const report = (extra: string[]) => {
      const r = gnnops([
        'drift',
        'report',
        '--reference',
        join(home, 'p.json'),
        '--window',
        '1000',
        '--json',
        ...extra,
      ]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { current: { rows: number }; summary: { drifted: boolean; share: number } };
    };
    const clean = report(['--replica', 'clean-1']);
    const shifted = report(['--replica', 'shifted-2']);
    const all = report([]);
    assert.equal(clean.current.rows, 400);
    assert.equal(shifted.current.rows, 400);
    assert.equal(all.current.rows, 800, 'the union of both replicas');
    assert.equal(clean.summary.drifted, false);
    assert.equal(shifted.summary.drifted, true);
    const none = gnnops(['drift', 'report', '--reference', join(home, 'p.json'), '--replica', 'nobody']);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /no sampled feature rows of width 8 in this window \(0 requests read of replica nobody\)/,
    );
  });

  it('drift history lists the stored checks oldest first with their alert flags, filtered by leader and time', () => {
    const j = gnnops(['drift', 'history', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const { checks } = JSON.parse(j.stdout) as {
      checks: { leader: string; share: number; dataset_drifted: boolean; accuracy_drop: boolean }[];
    };
    assert.deepEqual(
      checks.map((c) => [c.leader, c.share, c.dataset_drifted, c.accuracy_drop]),
      [
        ['clean-1', 0.125, false, true],
        ['shifted-2', 0.75, true, true],
        ['clean-1', 0.875, true, true],
      ],
    );
    const byLeader = JSON.parse(gnnops(['drift', 'history', '--leader', 'shifted-2', '--json']).stdout) as {
      checks: unknown[];
    };
    assert.equal(byLeader.checks.length, 1);
    const since = JSON.parse(gnnops(['drift', 'history', '--since', '2026-01-10T12:01:00Z', '--json']).stdout) as {
      checks: unknown[];
    };
    assert.equal(since.checks.length, 2);

    const human = gnnops(['drift', 'history', '--limit', '2']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /2026-01-10 12:01:00 +gcn\/1 +shifted-2 +200 +75\.0% +0\.050 +70\.0% +80\.0% +DATASET,ACCURACY/,
    );
    assert.doesNotMatch(human.stdout, /12:00:00/, '--limit 2 keeps the newest two');
    const bad = gnnops(['drift', 'history', '--limit', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit: "0" is not an integer in 1\.\.1000000/);
  });
}

describe('gnnops drift history and report --replica: SQLite workspace', async () => {
  const url = `sqlite:${join(home, 'gnnops.db')}`;
  await fill(url);
  suite(() => url);
});

describe('gnnops drift history and report --replica: shared PostgreSQL', { skip: PG_SKIP }, async () => {
  const pg = await freshDatabase();
  after(() => pg.drop());
  await fill(pg.url);
  suite(() => pg.url);

  it('drift report and prune-log take the store from store.url when GNNOPS_DATABASE_URL is unset', () => {
    const env = { GNNOPS_DATABASE_URL: '' };
    const r = runCli(
      home,
      [
        'drift',
        'report',
        '--reference',
        join(home, 'p.json'),
        '--replica',
        'shifted-2',
        '--json',
        `store.url=${pg.url}`,
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { current: { rows: number } }).current.rows, 400);
    const p = runCli(home, ['drift', 'prune-log', '--keep-rows', '100', '--json', `store.url=${pg.url}`], env);
    assert.equal(p.code, 0, p.stderr);
    const j = JSON.parse(p.stdout) as { remaining: number; file_bytes_after: number | null };
    assert.equal(j.remaining, 100);
    assert.equal(j.file_bytes_after, null, 'a PostgreSQL store has no file to measure');
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { PruneLogResult } from '../../../src/cli/commands/drift-prune-log.js';
import { parseAge } from '../../../src/cli/commands/drift-prune-log.js';
import { insertRequestLog } from '../../../src/request-log/insert.js';
import { readRequestLog } from '../../../src/request-log/reader.js';
import type { RequestLogEntry } from '../../../src/request-log/types.js';
import { openLogStore } from '../../serve/helpers.js';
import { runCli } from '../_run.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-prune-log-'));
after(async () => rmSync(home, { recursive: true, force: true }));
const HOUR = 3_600_000;

const gnnops = (args: string[]) => runCli(home, args);

/** Rows r0 … r(n−1) in commit order, r(i) (n − i) hours old, each with a 20 × 300 feature sample (24 KB). */
async function fill(n: number): Promise<void> {
  const { db } = await openLogStore(home);
  try {
    await db.exec('DELETE FROM request_log');
    const now = Date.now();
    const row = (i: number): RequestLogEntry => ({
      ts: now - (n - i) * HOUR,
      requestId: `r${i}`,
      item: 0,
      route: '/predict',
      model: 'tiny',
      version: '1',
      kind: 'subgraph',
      numNodes: 20,
      numEdges: 0,
      numFeatures: 300,
      meanDegree: 0,
      maxDegree: 0,
      features: new Float32Array(20 * 300).fill(i),
      nodeIds: null,
      degrees: new Int32Array(20),
      predictions: new Int32Array(20),
      confidence: new Float32Array(20).fill(1),
      temperature: 1,
      inferenceMs: 0.1,
    });
    await insertRequestLog(
      db,
      Array.from({ length: n }, (_, i) => row(i)),
      'test',
    );
  } finally {
    await db.close();
  }
}

async function survivors(): Promise<string[]> {
  const { db } = await openLogStore(home);
  try {
    return (await readRequestLog(db, { last: 1_000_000 })).map((r) => r.requestId);
  } finally {
    await db.close();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `r${from + i}`);

describe('gnnops drift prune-log', () => {
  beforeEach(async () => await fill(40));

  it('--keep-rows N keeps the N newest rows; --vacuum gives the space back', async () => {
    const r = gnnops(['drift', 'prune-log', '--keep-rows', '5', '--vacuum', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as PruneLogResult;
    assert.equal(j.deleted_by_rows, 35);
    assert.equal(j.deleted_by_age, 0);
    assert.equal(j.remaining, 5);
    assert.equal(j.vacuumed, true);
    // 35 rows × 24 KB freed: the file must shrink by at least most of that
    const [before, afterVacuum] = [j.file_bytes_before ?? 0, j.file_bytes_after ?? 0];
    assert.ok(before - afterVacuum > 30 * 24_000, `${before} → ${afterVacuum}`);
    assert.deepEqual(await survivors(), range(35, 40));
  });

  it('--older-than deletes by age only', async () => {
    const r = gnnops(['drift', 'prune-log', '--older-than', '10.5h']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^deleted 30 request-log rows \(0 over the row limit, 30 by age over 10\.5 h\) in 1 chunks; 10 remain$/m,
    );
    assert.deepEqual(await survivors(), range(30, 40));
  });

  it('without flags applies the configured serve.log_retention_* (overrides included)', async () => {
    const r = gnnops(['drift', 'prune-log', 'serve.log_retention_rows=12', 'serve.log_retention_hours=20.5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as PruneLogResult;
    assert.deepEqual(j.policy, { keep_rows: 12, max_age_hours: 20.5 });
    assert.equal(j.deleted_by_age, 20, 'r0..r19 are 21 h old or more');
    assert.equal(j.deleted_by_rows, 8);
    assert.deepEqual(await survivors(), range(28, 40));

    const off = gnnops(['drift', 'prune-log', 'serve.log_retention_rows=0']);
    assert.equal(off.code, 2);
    assert.match(off.stderr, /no retention limit: serve\.log_retention_rows and serve\.log_retention_hours are both 0/);
    assert.equal((await survivors()).length, 12, 'nothing deleted');
  });

  it('rejects a bad --keep-rows or --older-than naming the flag and value', async () => {
    const a = gnnops(['drift', 'prune-log', '--keep-rows', '0']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--keep-rows: "0" is not an integer ≥ 1/);
    const b = gnnops(['drift', 'prune-log', '--older-than', '3 weeks']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--older-than must be a positive age such as 30m, 24h or 7d, got "3 weeks"/);
    assert.equal((await survivors()).length, 40);
  });

  it('parseAge', async () => {
    assert.equal(parseAge('90s'), 90_000);
    assert.equal(parseAge('1.5h'), 1.5 * HOUR);
    assert.equal(parseAge('7d'), 7 * 24 * HOUR);
    assert.throws(() => parseAge('0h'), /positive age/);
  });
});

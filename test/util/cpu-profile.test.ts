import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PhaseTimer, startCpuProfile } from '../../src/util/cpu-profile.js';

test('startCpuProfile writes a V8 CPU profile that sees the work done meanwhile', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gnnops-prof-')), 'x.cpuprofile');
  const p = await startCpuProfile(path, 100);
  function busyLoopForProfile(): number {
    let s = 0;
    const end = performance.now() + 150;
    while (performance.now() < end) s += Math.sqrt(s + 1);
    return s;
  }
  assert.ok(busyLoopForProfile() > 0);
  assert.equal(await p.stop(), path);
  const prof = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: { callFrame: { functionName: string } }[];
    samples: number[];
  };
  assert.ok(prof.samples.length > 10);
  assert.ok(prof.nodes.some((n) => n.callFrame.functionName === 'busyLoopForProfile'));
});

test('PhaseTimer accumulates per phase and sorts by total', () => {
  const t = new PhaseTimer();
  t.add('a', 10);
  t.add('b', 25);
  t.add('a', 20);
  assert.equal(
    t.time('c', () => 7),
    7,
  );
  const rows = t.rows();
  assert.deepEqual(
    rows.slice(0, 2).map((r) => [r.phase, r.total_ms, r.calls]),
    [
      ['a', 30, 2],
      ['b', 25, 1],
    ],
  );
  assert.equal(rows.find((r) => r.phase === 'a')?.mean_ms, 15);
  assert.ok(Math.abs(rows.reduce((s, r) => s + r.share, 0) - 1) < 1e-9);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';

const exec = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let home: string;
let store: Store;
const ids: string[] = [];

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repo,
      env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
    });
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-runs-cli-'));
  store = await openStore({ home });
  const t = new Tracker(store, { experiment: 'cli' });
  for (const [i, lr] of [0.01, 0.05].entries()) {
    const r = await t.startRun({
      name: `lr-${lr}`,
      config: { train: { lr, epochs: 5 }, model: { hidden: 16 } },
      dataset: { name: 'cora', hash: 'hc' },
      git: null,
    });
    for (let e = 0; e < 5; e++) r.logMetrics({ train_loss: 1 / (e + 1 + i), val_acc: 0.5 + e * 0.05 + i * 0.02 }, e);
    await r.logArtifact('checkpoint', Buffer.from(`w${i}`), 'checkpoint');
    await r.end();
    ids.push(r.id);
  }
  await (await new Tracker(store, { experiment: 'other' }).startRun({ name: 'broken', git: null })).end(
    'failed',
    'boom',
  );
});
after(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

test('runs list filters by experiment and status', async () => {
  const all = JSON.parse((await cli('runs', 'list', '--json')).stdout) as { id: string; status: string }[];
  assert.equal(all.length, 3);
  const cliRuns = JSON.parse((await cli('runs', 'list', '--experiment', 'cli', '--json')).stdout) as { id: string }[];
  assert.deepEqual(cliRuns.map((r) => r.id).sort(), [...ids].sort());
  const text = await cli('runs', 'list', '--status', 'failed');
  assert.match(text.stdout, /broken/);
  assert.doesNotMatch(text.stdout, /lr-0.01/);
  const bad = await cli('runs', 'list', '--status', 'done');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--status "done" must be one of running, finished, failed, killed/);
});

test('runs show prints params, last metrics, artifacts and lineage', async () => {
  const text = await cli('runs', 'show', ids[0].slice(0, 8));
  assert.equal(text.code, 0);
  assert.match(text.stdout, /train\.lr\s+0\.01/);
  assert.match(text.stdout, /val_acc\s+0\.7\s+4/);
  assert.match(text.stdout, /checkpoint\s+checkpoint\s+2/);
  const json = JSON.parse((await cli('runs', 'show', 'lr-0.05', '--json')).stdout) as {
    run: { id: string };
    metrics: Record<string, { value: number }>;
  };
  assert.equal(json.run.id, ids[1]);
  assert.equal(json.metrics.val_acc.value, 0.72);
  const missing = await cli('runs', 'show', 'zzzz');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no run matches "zzzz"/);
});

test('runs compare prints the diff and writes SVG curves', async () => {
  const out = join(home, 'cmp');
  const r = await cli('runs', 'compare', ids[0], ids[1], '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /≠ train\.lr\s+0\.01\s+0\.05/);
  assert.doesNotMatch(r.stdout, /model\.hidden/, 'equal params are hidden without --all');
  assert.match(r.stdout, /val_acc\s+0\.7\s+0\.72 \*/);
  assert.match(r.stdout, /train_loss\s+0\.2\s+0\.16667 \*/, 'lower is better for losses');
  for (const f of ['curve-val_acc.svg', 'curve-train_loss.svg', 'compare.json', 'compare.md']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const svg = readFileSync(join(out, 'curve-val_acc.svg'), 'utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /lr-0\.01/);
  assert.match(svg, /lr-0\.05/);
  const one = await cli('runs', 'compare', ids[0]);
  assert.equal(one.code, 2);
});

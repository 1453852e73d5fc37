import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';

const exec = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let home: string;
let runId: string;

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repo,
      env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent', USER: 'tester' },
    });
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-models-cli-'));
  const store = await openStore({ home });
  const r = await new Tracker(store).startRun({ dataset: { name: 'cora', hash: 'hc' }, git: null });
  r.logMetrics({ val_acc_mean: 0.8, test_acc_mean: 0.79 }, 0);
  await r.logArtifact('checkpoint', Buffer.from('weights-1'), 'checkpoint');
  await r.end();
  runId = r.id;
  await store.close();
});
after(async () => rmSync(home, { recursive: true, force: true }));

test('register, auto-promote, promote, rollback and show through the CLI', async () => {
  const reg1 = JSON.parse(
    (await cli('models', 'register', 'gcn', '--run', runId, '--auto-promote', '--json')).stdout,
  ) as {
    version: { version: number; runId: string; datasetHash: string };
    autoPromotion: { promoted: boolean };
  };
  assert.equal(reg1.version.version, 1);
  assert.equal(reg1.version.runId, runId);
  assert.equal(reg1.version.datasetHash, 'hc');
  assert.equal(reg1.autoPromotion.promoted, true);

  // A worse version (same dataset) is registered but not promoted; a better one is.
  const ck = join(home, 'ck.bin');
  writeFileSync(ck, 'weights-2');
  const worse = await cli(
    'models',
    'register',
    'gcn',
    '--run',
    runId,
    '--checkpoint',
    ck,
    '--metric',
    'val_acc_mean=0.7',
    '--auto-promote',
  );
  assert.match(worse.stdout, /registered gcn version 2/);
  assert.match(worse.stdout, /auto-promotion: kept — val_acc_mean 0.7 does not beat v1's 0.8/);
  writeFileSync(ck, 'weights-3');
  const better = await cli(
    'models',
    'register',
    'gcn',
    '--run',
    runId,
    '--checkpoint',
    ck,
    '--metric',
    'val_acc_mean=0.85',
    '--auto-promote',
  );
  assert.match(better.stdout, /auto-promotion: promoted/);
  writeFileSync(ck, 'weights-4');
  const off = await cli(
    'models',
    'register',
    'gcn',
    '--run',
    runId,
    '--checkpoint',
    ck,
    '--metric',
    'val_acc_mean=0.9',
    '--auto-promote',
    'registry.auto_promote=false',
  );
  assert.match(off.stdout, /kept — auto-promotion is disabled/);

  const hookOut = join(home, 'hook.txt');
  const promoted = await cli(
    'models',
    'promote',
    'gcn',
    '2',
    '--alias',
    'production',
    '--reason',
    'manual pick',
    '--json',
    `registry.on_promote_command=echo "$NAME $VERSION $ALIAS" > ${hookOut}`,
  );
  assert.equal(promoted.code, 0, promoted.stderr);
  const change = JSON.parse(promoted.stdout) as { fromVersion: number; toVersion: number; hooks: { ok: boolean }[] };
  assert.equal(change.fromVersion, 3);
  assert.equal(change.toVersion, 2);
  assert.deepEqual(
    change.hooks.map((h) => h.ok),
    [true],
  );
  assert.equal(readFileSync(hookOut, 'utf8'), 'gcn 2 production\n');

  const back = await cli('models', 'rollback', 'gcn', '--alias', 'production', '--reason', 'oops');
  assert.match(back.stdout, /gcn@production: 2 → 3/);

  const shown = JSON.parse((await cli('models', 'show', 'gcn', '--json')).stdout) as {
    aliases: Record<string, number>;
    versions: { version: number }[];
    audit: { action: string; fromVersion: number | null; toVersion: number; who: string; reason: string }[];
  };
  assert.deepEqual(shown.aliases, { production: 3 });
  assert.equal(shown.versions.length, 4);
  assert.deepEqual(
    shown.audit.map((a) => [a.action, a.fromVersion, a.toVersion, a.who]),
    [
      ['auto-promote', null, 1, 'tester'],
      ['auto-promote', 1, 3, 'tester'],
      ['promote', 3, 2, 'tester'],
      ['rollback', 2, 3, 'tester'],
    ],
  );
  assert.equal(shown.audit[3].reason, 'oops');

  const one = await cli('models', 'show', 'gcn@production');
  assert.match(one.stdout, /gcn version 3 {2}\[production\]/);
  const list = await cli('models', 'list');
  assert.match(list.stdout, /gcn\s+4\s+production=3/);
  const events = JSON.parse((await cli('models', 'events', '--after', '0', '--json')).stdout) as { type: string }[];
  assert.equal(events.filter((e) => e.type === 'version.registered').length, 4);
  assert.equal(events.filter((e) => e.type === 'alias.changed').length, 4);
});

test('user errors exit with code 2 and a message naming the problem', async () => {
  const noSource = await cli('models', 'register', 'gcn');
  assert.equal(noSource.code, 2);
  assert.match(noSource.stderr, /needs --run RUN or --checkpoint FILE/);
  const badMetric = await cli('models', 'register', 'gcn', '--run', runId, '--metric', 'acc=high');
  assert.match(badMetric.stderr, /--metric "acc=high" must be key=number/);
  const badVersion = await cli('models', 'promote', 'gcn', '99', '--alias', 'production');
  assert.match(badVersion.stderr, /model "gcn" has no version 99/);
  const noHistory = await cli('models', 'rollback', 'gcn', '--alias', 'staging');
  assert.match(noHistory.stderr, /cannot roll back gcn@staging/);
});

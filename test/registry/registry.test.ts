import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { maybeAutoPromote } from '../../src/registry/auto-promote.js';
import { parseModelRef } from '../../src/registry/refs.js';
import { Registry, registryEvents } from '../../src/registry/registry.js';
import type { AliasChange } from '../../src/registry/types.js';
import { openStore, type Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { sha256 } from '../../src/util/fs.js';

let home: string;
let store: Store;
let reg: Registry;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-registry-'));
  store = openStore({ home });
  reg = new Registry(store);
});
after(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

const ckpt = (s: string) => Buffer.from(`weights:${s}`);

describe('versions', () => {
  test('versions are numbered per model and record their lineage from the source run', () => {
    const run = new Tracker(store).startRun({
      experiment: 'reg',
      config: { model: { hidden: 16 } },
      dataset: { name: 'cora', hash: 'h-cora' },
      git: { sha: 'b'.repeat(40), dirty: false },
    });
    run.logMetric('val_acc_mean', 0.7, 0);
    run.logMetric('val_acc_mean', 0.75, 1);
    run.logArtifact('checkpoint', ckpt('run'), 'checkpoint');
    run.end();

    const v1 = reg.registerVersion({ model: 'lineage', runId: run.id, checkpoint: { runArtifact: 'checkpoint' } });
    assert.equal(v1.version, 1);
    assert.equal(v1.runId, run.id);
    assert.equal(v1.datasetHash, 'h-cora');
    assert.equal(v1.gitSha, 'b'.repeat(40));
    assert.deepEqual(v1.config, { model: { hidden: 16 } });
    assert.deepEqual(v1.metrics, { val_acc_mean: 0.75 }, 'metrics default to the last value of each series');
    assert.equal(v1.checkpointDigest, sha256(ckpt('run')));
    assert.deepEqual(readFileSync(v1.checkpointPath), ckpt('run'));

    const file = join(home, 'ckpt.bin');
    writeFileSync(file, ckpt('file'));
    const v2 = reg.registerVersion({
      model: 'lineage',
      checkpoint: file,
      metrics: { val_acc_mean: 0.8 },
      referenceProfile: Buffer.from('profile'),
      git: null,
    });
    assert.equal(v2.version, 2);
    assert.equal(v2.runId, null);
    assert.equal(v2.referenceProfileDigest, sha256('profile'));
    assert.equal(v2.checkpointSize, ckpt('file').byteLength);
    const again = reg.registerVersion({ model: 'lineage', checkpoint: { digest: v2.checkpointDigest } });
    assert.equal(again.version, 3);
    assert.equal(again.checkpointSize, v2.checkpointSize);

    assert.equal(reg.resolve('lineage').version, 3);
    assert.equal(reg.resolve('lineage/latest').version, 3);
    assert.equal(reg.resolve('models:/lineage/2').checkpointDigest, v2.checkpointDigest);
    assert.deepEqual(new Tracker(store).detail(run.id).lineage.modelVersions, [{ model: 'lineage', version: 1 }]);
  });

  test('bad references and sources are user errors naming the value', () => {
    assert.throws(() => reg.resolve('nomodel/1'), /no registered model "nomodel"/);
    assert.throws(() => reg.resolve('lineage/99'), /has no version 99/);
    assert.throws(() => reg.resolve('lineage@nothing'), /has no alias "nothing"/);
    assert.throws(() => reg.resolve('lineage/zero'), /must be an integer/);
    assert.throws(() => parseModelRef('bad name'), /model name "bad name"/);
    assert.throws(() => parseModelRef('m@latest'), /alias "latest"/);
    assert.throws(
      () => reg.registerVersion({ model: 'x', checkpoint: { digest: 'f'.repeat(64) } }),
      /not in the artifact store/,
    );
    assert.throws(() => reg.registerVersion({ model: 'x', checkpoint: { runArtifact: 'ckpt' } }), /needs runId/);
    assert.throws(() => reg.registerVersion({ model: 'x', checkpoint: join(home, 'missing.bin') }), /not found/);
    assert.equal(
      reg.listModels().find((m) => m.name === 'x'),
      undefined,
      'failed registrations leave no model behind',
    );
  });
});

describe('aliases', () => {
  test('promote, audit and stack-like rollback', async () => {
    for (let i = 1; i <= 3; i++) reg.registerVersion({ model: 'al', checkpoint: ckpt(`al${i}`) });
    await reg.promote('al', 1, 'production', { by: 'alice', reason: 'first' });
    await reg.promote('al', 2, 'production', { by: 'bob', reason: 'better' });
    const noop = await reg.promote('al', 2, 'production');
    assert.equal(noop.changed, false);
    await reg.promote('al', 3, 'production', { reason: 'best' });
    await reg.promote('al', 1, 'staging');
    assert.deepEqual(reg.aliases('al'), { production: 3, staging: 1 });
    assert.equal(reg.resolve('al@production').version, 3);
    assert.deepEqual(reg.getVersion('al', 1).aliases, ['staging']);

    const r1 = await reg.rollback('al', 'production', { by: 'carol', reason: 'regression' });
    assert.equal(r1.fromVersion, 3);
    assert.equal(r1.toVersion, 2);
    const r2 = await reg.rollback('al', 'production');
    assert.equal(r2.toVersion, 1, 'a second rollback walks further back');
    await assert.rejects(reg.rollback('al', 'production'), /no earlier version/);
    assert.equal(reg.aliases('al').production, 1, 'a refused rollback changes nothing');

    const log = reg.auditLog('al', 'production');
    assert.deepEqual(
      log.map((e) => [e.action, e.fromVersion, e.toVersion, e.who]),
      [
        ['promote', null, 1, 'alice'],
        ['promote', 1, 2, 'bob'],
        ['promote', 2, 3, process.env.USER ?? log[2].who],
        ['rollback', 3, 2, 'carol'],
        ['rollback', 2, 1, process.env.USER ?? log[4].who],
      ],
    );
    assert.equal(log[3].reason, 'regression');
    assert.ok(log.every((e, i) => i === 0 || e.at >= log[i - 1].at));

    await reg.removeAlias('al', 'staging', { reason: 'cleanup' });
    assert.equal(reg.aliases('al').staging, undefined);
    const undo = await reg.rollback('al', 'staging');
    assert.equal(undo.toVersion, 1, 'rollback after remove restores the alias');

    await assert.rejects(reg.promote('al', 9, 'production'), /has no version 9/);
    await assert.rejects(reg.promote('al', 1, 'v2'), /alias "v2"/);
  });
});

describe('auto-promotion', () => {
  const reg3 = (model: string, acc: number | undefined, hash = 'd1') =>
    reg.registerVersion({
      model,
      checkpoint: ckpt(`${model}${acc}${hash}${Math.random()}`),
      metrics: acc === undefined ? {} : { val_acc_mean: acc, test_acc_mean: 0.5 },
      dataset: { name: 'd', hash },
    });

  test('promotes the first version, then only better ones', async () => {
    const a = reg3('auto', 0.7);
    const d1 = await maybeAutoPromote(reg, 'auto', a.version);
    assert.equal(d1.promoted, true);
    assert.match(d1.reason, /was unset/);
    const worse = reg3('auto', 0.65);
    const d2 = await maybeAutoPromote(reg, 'auto', worse.version);
    assert.equal(d2.promoted, false);
    assert.match(d2.reason, /does not beat v1's 0.7/);
    const tie = reg3('auto', 0.7);
    assert.equal((await maybeAutoPromote(reg, 'auto', tie.version)).promoted, false, 'a tie does not promote');
    const better = reg3('auto', 0.72);
    const d3 = await maybeAutoPromote(reg, 'auto', better.version);
    assert.equal(d3.promoted, true);
    assert.deepEqual(d3.incumbent, { version: 1, value: 0.7 });
    assert.equal(reg.aliases('auto').production, better.version);
    const last = reg.auditLog('auto', 'production').at(-1)!;
    assert.equal(last.action, 'auto-promote');
    assert.match(last.reason, /0.72 beats v1's 0.7/);
  });

  test('the rule is configurable: off, min mode, margin, metric, dataset guard', async () => {
    const a = reg3('rule', 0.7);
    await reg.promote('rule', a.version, 'production');
    const b = reg3('rule', 0.9);
    assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { enabled: false })).promoted, false);
    assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { minDelta: 0.25 })).promoted, false);
    assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { mode: 'min' })).promoted, false);
    const noMetric = await maybeAutoPromote(reg, 'rule', b.version, { metric: 'f1' });
    assert.match(noMetric.reason, /has no finite "f1"/);
    const other = reg3('rule', 0.95, 'd2');
    const guard = await maybeAutoPromote(reg, 'rule', other.version);
    assert.equal(guard.promoted, false);
    assert.match(guard.reason, /dataset differs/);
    assert.equal((await maybeAutoPromote(reg, 'rule', other.version, { sameDataset: false })).promoted, true);
    const lower = reg3('rule', 0.1);
    assert.equal(
      (await maybeAutoPromote(reg, 'rule', lower.version, { mode: 'min', sameDataset: false })).promoted,
      true,
    );
    assert.equal(reg.aliases('rule').production, lower.version);
  });
});

describe('events', () => {
  test('registrations and alias changes are persisted with increasing ids and emitted in-process', async () => {
    const start = reg.lastEventId();
    const seen: AliasChange[] = [];
    const listener = (c: AliasChange) => seen.push(c);
    registryEvents.on('alias.changed', listener);
    const v = reg.registerVersion({ model: 'ev', checkpoint: ckpt('ev') });
    await reg.promote('ev', v.version, 'production', { reason: 'go' });
    registryEvents.off('alias.changed', listener);
    const events = reg.eventsSince(start);
    assert.deepEqual(
      events.map((e) => [e.type, e.model, e.version, e.alias]),
      [
        ['version.registered', 'ev', 1, null],
        ['alias.changed', 'ev', 1, 'production'],
      ],
    );
    assert.ok(events[1].id > events[0].id);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].event?.id, events[1].id);
    assert.equal(events[1].payload.reason, 'go');
    // A second process sees the same stream.
    const other = openStore({ home });
    assert.deepEqual(
      new Registry(other).eventsSince(start).map((e) => e.id),
      events.map((e) => e.id),
    );
    other.close();
  });
});

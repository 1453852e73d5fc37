import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { maybeAutoPromote } from '../../src/registry/auto-promote.js';
import { parseModelRef } from '../../src/registry/refs.js';
import { Registry, registryEvents } from '../../src/registry/registry.js';
import type { AliasChange, RegistryEvent } from '../../src/registry/types.js';
import { watchRegistry } from '../../src/registry/watch.js';
import type { Store } from '../../src/track/store.js';
import { Tracker } from '../../src/track/tracker.js';
import { sha256 } from '../../src/util/fs.js';
import type { StoreBackend } from '../track/backends.js';

const ckpt = (s: string) => Buffer.from(`weights:${s}`);
const loop = join(import.meta.dirname, 'fixtures', 'register-loop.ts');

/**
 * The registry's contract on every backend: versions and their lineage, aliases with audit and rollback,
 * auto-promotion, the event stream and its watcher, and version allocation by concurrent processes, including
 * processes killed with SIGKILL mid-registration.
 */
export function registryContract(backend: StoreBackend): void {
  describe(`registry contract: ${backend.name}`, { skip: backend.skip }, () => {
    let home: string;
    let store: Store;
    let reg: Registry;

    before(async () => {
      home = mkdtempSync(join(tmpdir(), 'gnnops-registry-'));
      store = await backend.open({ home });
      reg = new Registry(store);
    });
    after(async () => {
      await store?.close();
      rmSync(home, { recursive: true, force: true });
      await backend.dispose();
    });

    describe('versions', () => {
      test('versions are numbered per model and record their lineage from the source run', async () => {
        const run = await new Tracker(store).startRun({
          experiment: 'reg',
          config: { model: { hidden: 16 } },
          dataset: { name: 'cora', hash: 'h-cora' },
          git: { sha: 'b'.repeat(40), dirty: false },
        });
        run.logMetric('val_acc_mean', 0.7, 0);
        run.logMetric('val_acc_mean', 0.75, 1);
        await run.logArtifact('checkpoint', ckpt('run'), 'checkpoint');
        await run.end();

        const v1 = await reg.registerVersion({
          model: 'lineage',
          runId: run.id,
          checkpoint: { runArtifact: 'checkpoint' },
        });
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
        const v2 = await reg.registerVersion({
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
        const again = await reg.registerVersion({ model: 'lineage', checkpoint: { digest: v2.checkpointDigest } });
        assert.equal(again.version, 3);
        assert.equal(again.checkpointSize, v2.checkpointSize);

        assert.equal((await reg.resolve('lineage')).version, 3);
        assert.equal((await reg.resolve('lineage/latest')).version, 3);
        assert.equal((await reg.resolve('models:/lineage/2')).checkpointDigest, v2.checkpointDigest);
        assert.deepEqual((await new Tracker(store).detail(run.id)).lineage.modelVersions, [
          { model: 'lineage', version: 1 },
        ]);
      });

      test('bad references and sources are user errors naming the value', async () => {
        await assert.rejects(reg.resolve('nomodel/1'), /no registered model "nomodel"/);
        await assert.rejects(reg.resolve('lineage/99'), /has no version 99/);
        await assert.rejects(reg.resolve('lineage@nothing'), /has no alias "nothing"/);
        await assert.rejects(reg.resolve('lineage/zero'), /must be an integer/);
        assert.throws(() => parseModelRef('bad name'), /model name "bad name"/);
        assert.throws(() => parseModelRef('m@latest'), /alias "latest"/);
        await assert.rejects(
          reg.registerVersion({ model: 'x', checkpoint: { digest: 'f'.repeat(64) } }),
          /not in the artifact store/,
        );
        await assert.rejects(reg.registerVersion({ model: 'x', checkpoint: { runArtifact: 'ckpt' } }), /needs runId/);
        await assert.rejects(reg.registerVersion({ model: 'x', checkpoint: join(home, 'missing.bin') }), /not found/);
        assert.equal(
          (await reg.listModels()).find((m) => m.name === 'x'),
          undefined,
          'failed registrations leave no model behind',
        );
      });
    });

    describe('aliases', () => {
      test('promote, audit and stack-like rollback', async () => {
        for (let i = 1; i <= 3; i++) await reg.registerVersion({ model: 'al', checkpoint: ckpt(`al${i}`) });
        await reg.promote('al', 1, 'production', { by: 'alice', reason: 'first' });
        await reg.promote('al', 2, 'production', { by: 'bob', reason: 'better' });
        const noop = await reg.promote('al', 2, 'production');
        assert.equal(noop.changed, false);
        await reg.promote('al', 3, 'production', { reason: 'best' });
        await reg.promote('al', 1, 'staging');
        assert.deepEqual(await reg.aliases('al'), { production: 3, staging: 1 });
        assert.equal((await reg.resolve('al@production')).version, 3);
        assert.deepEqual((await reg.getVersion('al', 1)).aliases, ['staging']);

        const r1 = await reg.rollback('al', 'production', { by: 'carol', reason: 'regression' });
        assert.equal(r1.fromVersion, 3);
        assert.equal(r1.toVersion, 2);
        const r2 = await reg.rollback('al', 'production');
        assert.equal(r2.toVersion, 1, 'a second rollback walks further back');
        await assert.rejects(reg.rollback('al', 'production'), /no earlier version/);
        assert.equal((await reg.aliases('al')).production, 1, 'a refused rollback changes nothing');

        const log = await reg.auditLog('al', 'production');
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
        assert.equal((await reg.aliases('al')).staging, undefined);
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
        const a = await reg3('auto', 0.7);
        const d1 = await maybeAutoPromote(reg, 'auto', a.version);
        assert.equal(d1.promoted, true);
        assert.match(d1.reason, /was unset/);
        const worse = await reg3('auto', 0.65);
        const d2 = await maybeAutoPromote(reg, 'auto', worse.version);
        assert.equal(d2.promoted, false);
        assert.match(d2.reason, /does not beat v1's 0.7/);
        const tie = await reg3('auto', 0.7);
        assert.equal((await maybeAutoPromote(reg, 'auto', tie.version)).promoted, false, 'a tie does not promote');
        const better = await reg3('auto', 0.72);
        const d3 = await maybeAutoPromote(reg, 'auto', better.version);
        assert.equal(d3.promoted, true);
        assert.deepEqual(d3.incumbent, { version: 1, value: 0.7 });
        assert.equal((await reg.aliases('auto')).production, better.version);
        const last = (await reg.auditLog('auto', 'production')).at(-1)!;
        assert.equal(last.action, 'auto-promote');
        assert.match(last.reason, /0.72 beats v1's 0.7/);
      });

      test('the rule is configurable: off, min mode, margin, metric, dataset guard', async () => {
        const a = await reg3('rule', 0.7);
        await reg.promote('rule', a.version, 'production');
        const b = await reg3('rule', 0.9);
        assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { enabled: false })).promoted, false);
        assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { minDelta: 0.25 })).promoted, false);
        assert.equal((await maybeAutoPromote(reg, 'rule', b.version, { mode: 'min' })).promoted, false);
        const noMetric = await maybeAutoPromote(reg, 'rule', b.version, { metric: 'f1' });
        assert.match(noMetric.reason, /has no finite "f1"/);
        const other = await reg3('rule', 0.95, 'd2');
        const guard = await maybeAutoPromote(reg, 'rule', other.version);
        assert.equal(guard.promoted, false);
        assert.match(guard.reason, /dataset differs/);
        assert.equal((await maybeAutoPromote(reg, 'rule', other.version, { sameDataset: false })).promoted, true);
        const lower = await reg3('rule', 0.1);
        assert.equal(
          (await maybeAutoPromote(reg, 'rule', lower.version, { mode: 'min', sameDataset: false })).promoted,
          true,
        );
        assert.equal((await reg.aliases('rule')).production, lower.version);
      });
    });

    describe('events', () => {
      test('registrations and alias changes are persisted with increasing ids and emitted in-process', async () => {
        const start = await reg.lastEventId();
        const seen: AliasChange[] = [];
        const listener = (c: AliasChange) => seen.push(c);
        registryEvents.on('alias.changed', listener);
        const v = await reg.registerVersion({ model: 'ev', checkpoint: ckpt('ev') });
        await reg.promote('ev', v.version, 'production', { reason: 'go' });
        registryEvents.off('alias.changed', listener);
        const events = await reg.eventsSince(start);
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
        const other = await backend.open({ home });
        assert.deepEqual(
          (await new Registry(other).eventsSince(start)).map((e) => e.id),
          events.map((e) => e.id),
        );
        await other.close();
      });
    });

    describe('the event stream across connections', () => {
      test('watchRegistry delivers events committed by another connection, in order, once', async () => {
        const readerStore = await backend.open({ home });
        const reader = new Registry(readerStore);
        const seen: RegistryEvent[] = [];
        const w = await watchRegistry(reader, { intervalMs: 20, types: ['alias.changed'] }, (e) => seen.push(e));
        const writer = new Registry(store);
        await writer.registerVersion({ model: 'watched', checkpoint: Buffer.from('w1') });
        await writer.promote('watched', 1, 'production');
        await writer.promote('watched', 1, 'staging');
        for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 60)); // a few more polls: nothing else may arrive
        await w.stop();
        assert.deepEqual(
          seen.map((e) => [e.model, e.alias, e.version]),
          [
            ['watched', 'production', 1],
            ['watched', 'staging', 1],
          ],
        );
        assert.equal(w.lastId, await writer.lastEventId());
        assert.deepEqual(await w.poll(), [], 'nothing is delivered twice');
        await readerStore.close();
      });

      test('with a store that pushes, a watcher sees a promotion from another connection well before its poll', async (t) => {
        if (!store.sql.pushes) {
          t.skip('SQLite does not push: its watchers poll (the test above)');
          return;
        }
        const readerStore = await backend.open({ home });
        const reader = new Registry(readerStore);
        const seen: { e: RegistryEvent; at: number }[] = [];
        // A 60 s poll: anything seen within the test's few seconds came by push.
        const w = await watchRegistry(reader, { intervalMs: 60_000, types: ['alias.changed'] }, (e) =>
          seen.push({ e, at: Date.now() }),
        );
        assert.equal(w.pushed, true);
        const writer = new Registry(store);
        const v = await writer.registerVersion({ model: 'pushed', checkpoint: Buffer.from('p1') });
        const lags: number[] = [];
        for (const alias of ['production', 'staging', 'canary']) {
          const t0 = Date.now();
          await writer.promote('pushed', v.version, alias);
          while (seen.length < lags.length + 1 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
          assert.equal(seen.length, lags.length + 1, `the ${alias} promotion arrived (by push; the poll is 60 s)`);
          lags.push(seen[seen.length - 1].at - t0);
        }
        await w.stop();
        assert.deepEqual(
          seen.map(({ e }) => [e.model, e.alias, e.version]),
          ['production', 'staging', 'canary'].map((a) => ['pushed', a, v.version]),
        );
        assert.ok(Math.max(...lags) < 2000, `each arrived within 2 s of its commit (lags ${lags.join(', ')} ms)`);
        await readerStore.close();
      });

      test('a watcher whose listening connection drops re-reads after reconnecting: a move made meanwhile arrives', async (t) => {
        if (!store.sql.pushes) {
          t.skip('SQLite does not push: nothing to reconnect');
          return;
        }
        const readerStore = await backend.open({ home });
        const reader = new Registry(readerStore);
        const seen: RegistryEvent[] = [];
        const w = await watchRegistry(reader, { intervalMs: 60_000, types: ['alias.changed'] }, (e) => seen.push(e));
        const writer = new Registry(store);
        const v = await writer.registerVersion({ model: 'reconnected', checkpoint: Buffer.from('r1') });
        // The server ends the listening session (as a restart or a network cut would) …
        const killed = await store.sql.query<{ n: number }>(
          `SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN gnnops_registry%'`,
        );
        assert.ok(killed[0].n >= 1, 'the listening session was found and ended');
        // … and the move commits while the watcher has no subscription: its notice goes to nobody.
        await writer.promote('reconnected', v.version, 'production');
        for (let i = 0; i < 500 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        await w.stop();
        assert.deepEqual(
          seen.map((e) => [e.model, e.alias]),
          [['reconnected', 'production']],
          'delivered by the re-read after the reconnect (the poll is 60 s)',
        );
        await readerStore.close();
      });

      test('concurrent registrations from two connections get distinct versions and ordered events', async () => {
        const otherStore = await backend.open({ home });
        const a = new Registry(store);
        const b = new Registry(otherStore);
        const start = await a.lastEventId();
        const got = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? b : a).registerVersion({ model: 'race', checkpoint: ckpt(`race${i}`) }),
          ),
        );
        assert.deepEqual(
          got.map((v) => v.version).sort((x, y) => x - y),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        const events = await a.eventsSince(start, 1000);
        assert.equal(events.length, 20);
        assert.deepEqual(
          events.map((e) => e.version),
          [...events.map((e) => e.version)].sort((x, y) => (x ?? 0) - (y ?? 0)),
          'event ids follow the commit order of the versions',
        );
        await otherStore.close();
      });
    });

    describe('processes', () => {
      const startLoop = async (model: string) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', loop, model], {
          env: {
            ...process.env,
            GNNOPS_HOME: home,
            GNNOPS_DATABASE_URL: await backend.url(),
            GNNOPS_LOG_LEVEL: 'silent',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const seen: number[] = [];
        let buf = '';
        let first: () => void = () => {};
        const started = new Promise<void>((r) => {
          first = r;
        });
        proc.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) seen.push(Number(l));
          if (seen.length > 0) first();
        });
        const exited = new Promise<NodeJS.Signals | null>((r) => proc.on('exit', (_c, sig) => r(sig)));
        return { proc, seen, started, exited };
      };

      test('kill -9 during registrations never leaves a version without its checkpoint', async (t) => {
        const reported: number[] = [];
        for (let i = 0; i < 4; i++) {
          const c = await startLoop('crashy');
          await Promise.race([c.started, c.exited]);
          await new Promise((r) => setTimeout(r, randomInt(0, 400)));
          c.proc.kill('SIGKILL');
          assert.equal(await c.exited, 'SIGKILL', 'the child was killed, not exited by itself');
          reported.push(...c.seen);
          const s = await backend.open({ home });
          if (s.sql.dialect === 'sqlite') assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok');
          const rows = await s.sql.query<{ version: number; d: string; n: number }>(
            'SELECT version, checkpoint_digest AS d, checkpoint_size AS n FROM model_versions WHERE model = $1 ORDER BY version',
            ['crashy'],
          );
          // Every version row has its checkpoint, complete and matching its digest.
          for (const r of rows) {
            const data = readFileSync(s.cas.pathOf(r.d));
            assert.equal(data.byteLength, r.n, `v${r.version} size`);
            assert.equal(sha256(data), r.d, `v${r.version} digest`);
          }
          // Versions are contiguous, and every version the child saw committed survived the kill.
          assert.deepEqual(
            rows.map((r) => r.version),
            rows.map((_, k) => k + 1),
          );
          const have = new Set(rows.map((r) => r.version));
          for (const v of reported) assert.ok(have.has(v), `committed version ${v} survived`);
          // The alias and its audit trail agree and point at a real version.
          const alias = await s.sql.query<{ version: number }>(
            "SELECT version FROM model_aliases WHERE model = 'crashy' AND alias = 'production'",
          );
          const lastAudit = await s.sql.query<{ to_version: number }>(
            "SELECT to_version FROM alias_audit WHERE model = 'crashy' AND alias = 'production' ORDER BY id DESC LIMIT 1",
          );
          assert.equal(alias[0]?.version, lastAudit[0]?.to_version);
          if (alias[0]) assert.ok(have.has(alias[0].version));
          await s.close();
        }
        assert.ok(reported.length >= 4, `at least one committed registration per iteration (${reported.length})`);
        // Informational: blobs written but never committed (killed between the CAS write and the transaction).
        const base = join(home, 'artifacts', 'sha256');
        const blobs = readdirSync(base)
          .filter((d) => statSync(join(base, d)).isDirectory())
          .flatMap((d) => readdirSync(join(base, d)));
        t.diagnostic(`${reported.length} committed; ${blobs.length} blobs in the workspace`);
      });

      test('two processes registering at once get distinct, contiguous version numbers', async () => {
        const a = await startLoop('duo');
        const b = await startLoop('duo');
        const t0 = Date.now();
        while ((a.seen.length < 5 || b.seen.length < 5) && Date.now() - t0 < 30_000)
          await new Promise((r) => setTimeout(r, 50));
        a.proc.kill('SIGKILL');
        b.proc.kill('SIGKILL');
        await Promise.all([a.exited, b.exited]);
        assert.ok(a.seen.length >= 5 && b.seen.length >= 5, `both made progress (${a.seen.length}, ${b.seen.length})`);
        const overlap = a.seen.filter((v) => b.seen.includes(v));
        assert.deepEqual(overlap, [], 'no version number was handed out twice');
        const versions = (
          await store.sql.query<{ version: number }>(
            "SELECT version FROM model_versions WHERE model = 'duo' ORDER BY version",
          )
        ).map((r) => r.version);
        assert.deepEqual(
          versions,
          versions.map((_, i) => i + 1),
        );
        for (const v of [...a.seen, ...b.seen]) assert.ok(versions.includes(v));
      });
    });
  });
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/track/store.js';
import { sha256 } from '../../src/util/fs.js';

let home: string;
const child = join(import.meta.dirname, 'fixtures', 'register-loop.ts');

before(() => {
  home = mkdtempSync(join(tmpdir(), 'gnnops-kill9-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

/** Start the registration loop, let it commit at least one version, SIGKILL it after a random delay. */
async function runAndKill(): Promise<number[]> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const committed: number[] = [];
  let buf = '';
  let first: () => void = () => {};
  const started = new Promise<void>((r) => {
    first = r;
  });
  proc.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) committed.push(Number(l));
    if (committed.length > 0) first();
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => proc.on('exit', (_c, sig) => r(sig)));
  await Promise.race([started, exited]);
  await new Promise((r) => setTimeout(r, randomInt(0, 400)));
  proc.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the child was killed, not exited by itself');
  return committed;
}

test('kill -9 during registrations never leaves a version without its checkpoint', async (t) => {
  const reported: number[] = [];
  for (let i = 0; i < 6; i++) {
    reported.push(...(await runAndKill()));
    const store = openStore({ home });
    const db = store.db;
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const rows = db
      .prepare(
        'SELECT version, checkpoint_digest AS d, checkpoint_size AS n FROM model_versions WHERE model = ? ORDER BY version',
      )
      .all('crashy') as { version: number; d: string; n: number }[];
    // Every version row has its checkpoint, complete and matching its digest.
    for (const r of rows) {
      const data = readFileSync(store.cas.pathOf(r.d));
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
    const alias = db
      .prepare("SELECT version FROM model_aliases WHERE model = 'crashy' AND alias = 'production'")
      .get() as { version: number } | undefined;
    const lastAudit = db
      .prepare(
        "SELECT to_version FROM alias_audit WHERE model = 'crashy' AND alias = 'production' ORDER BY id DESC LIMIT 1",
      )
      .get() as { to_version: number } | undefined;
    assert.equal(alias?.version, lastAudit?.to_version);
    if (alias) assert.ok(have.has(alias.version));
    store.close();
  }
  assert.ok(reported.length >= 6, `at least one committed registration per iteration (${reported.length})`);
  // Informational: blobs written but never committed (killed between the CAS write and the transaction).
  const base = join(home, 'artifacts', 'sha256');
  const blobs = readdirSync(base)
    .filter((d) => statSync(join(base, d)).isDirectory())
    .flatMap((d) => readdirSync(join(base, d)));
  const temps = blobs.filter((f) => f.includes('.tmp-')).length;
  const store = openStore({ home });
  const versions = (store.db.prepare('SELECT COUNT(*) AS n FROM model_versions').get() as { n: number }).n;
  store.close();
  t.diagnostic(
    `${reported.length} committed; ${versions} versions; ${blobs.length} blobs (orphans: ${blobs.length - temps - versions}, temp leftovers: ${temps})`,
  );
});

test('two processes registering at once get distinct, contiguous version numbers', async () => {
  const start = () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const seen: number[] = [];
    let buf = '';
    proc.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) seen.push(Number(l));
    });
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    return { proc, seen, exited };
  };
  const a = start();
  const b = start();
  const t0 = Date.now();
  while ((a.seen.length < 5 || b.seen.length < 5) && Date.now() - t0 < 30_000)
    await new Promise((r) => setTimeout(r, 50));
  a.proc.kill('SIGKILL');
  b.proc.kill('SIGKILL');
  await Promise.all([a.exited, b.exited]);
  assert.ok(a.seen.length >= 5 && b.seen.length >= 5, `both made progress (${a.seen.length}, ${b.seen.length})`);
  const overlap = a.seen.filter((v) => b.seen.includes(v));
  assert.deepEqual(overlap, [], 'no version number was handed out twice');
  const store = openStore({ home });
  const versions = (
    store.db.prepare("SELECT version FROM model_versions WHERE model = 'crashy' ORDER BY version").all() as {
      version: number;
    }[]
  ).map((r) => r.version);
  store.close();
  assert.deepEqual(
    versions,
    versions.map((_, i) => i + 1),
  );
  for (const v of [...a.seen, ...b.seen]) assert.ok(versions.includes(v));
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { versionFacts } from '../../src/monitor/estimate.js';
import { Registry } from '../../src/registry/index.js';
import { requestLogMigrations } from '../../src/request-log/schema.js';
import { openStore } from '../../src/track/store.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-drift-ref-'));
const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });

test('drift report reads the reference profile registered with a model version', async () => {
  // A 400-node generated WikiCS-format graph; training registers tiny-gcn/1 with its profile.
  const data = join(home, 'tiny.json');
  assert.equal(cli('data', 'synth', '--out', data, '--nodes', '400', '--seed', '2').status, 0);
  const empty = cli('drift', 'report', '--current', data);
  assert.notEqual(empty.status, 0);
  assert.match(empty.stderr, /no registered model has a "production" version; pass --model NAME/);
  const trained = cli('train', '--data-file', data, 'train.splits=1', 'train.epochs=20', '--json');
  assert.equal(trained.status, 0, trained.stderr);

  // Current windows built from the training features: as they are, and shifted by +1 in every column.
  const g = JSON.parse(readFileSync(data, 'utf8')) as { features: number[][] };
  const clean = g.features.slice(0, 300);
  const shifted = clean.map((row) => row.map((v) => v + 1));
  writeFileSync(join(home, 'clean.json'), JSON.stringify(clean));
  writeFileSync(join(home, 'shifted.json'), JSON.stringify(shifted));

  const report = (file: string, ...ref: string[]) => {
    const r = cli('drift', 'report', ...ref, '--current', join(home, file), '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      dataset: { drifted: boolean; share: number };
      model_name: string | null;
      model_version: number | null;
      profile_file: string | null;
    };
  };
  const byAlias = report('shifted.json', '--reference', 'tiny-gcn@production');
  // The model version whose registered profile was the reference, for the next command.
  assert.deepEqual([byAlias.model_name, byAlias.model_version, byAlias.profile_file], ['tiny-gcn', 1, null]);
  assert.equal(byAlias.dataset.drifted, true);
  assert.equal(byAlias.dataset.share, 1);
  const byModel = report('clean.json', '--model', 'tiny-gcn');
  assert.equal(byModel.dataset.drifted, false, 'a sample of the training features does not drift from them');

  // With exactly one production model, --model may be left out; the command says which model it used.
  const sole = cli('drift', 'report', '--current', join(home, 'shifted.json'), '--json');
  assert.equal(sole.status, 0, sole.stderr);
  assert.match(sole.stderr, /using tiny-gcn@production, the only production model/);
  assert.equal((JSON.parse(sole.stdout) as { dataset: { drifted: boolean } }).dataset.drifted, true);

  // Logged traffic of the registered version: the report's estimate carries the version's registered facts.
  const store = await openStore({ home, recover: false });
  await store.migrate(requestLogMigrations);
  const registered = versionFacts((await new Registry(store).getVersion('tiny-gcn', 1)).metrics);
  const cols = g.features[0].length;
  const insert = store.db.prepare(
    `INSERT INTO request_log (ts, request_id, item, route, model, version, kind, num_nodes, num_edges, num_features,
      mean_degree, max_degree, sampled, features, node_ids, degrees, predictions, confidence, inference_ms)
     VALUES (?, ?, 0, '/predict', 'tiny-gcn', '1', 'subgraph', 2, 1, ?, 0.5, 1, 1, ?, NULL, ?, ?, ?, 1.0)`,
  );
  const blob = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < 30; i++)
    insert.run(
      Date.now() - 1000 + i,
      `r${i}`,
      cols,
      blob(Float32Array.from([...clean[2 * i], ...clean[2 * i + 1]])),
      blob(Int32Array.from([1, 0])),
      blob(Int32Array.from([0, 1])),
      blob(Float32Array.from([0.75, 0.75])),
    );
  await store.close();
  const logged = cli('drift', 'report', '--model', 'tiny-gcn', '--window', '30', '--json');
  assert.equal(logged.status, 0, logged.stderr);
  const [est] = (
    JSON.parse(logged.stdout) as {
      accuracyEstimate: {
        version: string;
        n: number;
        estimated: number;
        testAccuracy: number | null;
        registeredTemperature: number | null;
      }[];
    }
  ).accuracyEstimate;
  assert.equal(est.n, 60);
  assert.equal(est.estimated, 0.75);
  assert.equal(typeof registered.testAccuracy, 'number', 'training registers test_acc');
  assert.equal(est.testAccuracy, registered.testAccuracy);
  assert.equal(est.registeredTemperature, registered.temperature);

  // A second production model makes the default ambiguous: the error lists both choices.
  const other = join(home, 'other.json');
  assert.equal(cli('data', 'synth', '--out', other, '--nodes', '400', '--seed', '3').status, 0);
  const second = cli('train', '--data-file', other, 'train.splits=1', 'train.epochs=5', '--json');
  assert.equal(second.status, 0, second.stderr);
  const none = cli('drift', 'report', '--current', join(home, 'clean.json'));
  assert.equal(none.status, 2);
  assert.match(none.stderr, /2 models have a "production" version; pass --model with one of: other-gcn, tiny-gcn/);
});

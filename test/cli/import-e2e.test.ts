/**
 * An imported dataset is first-class from end to end, on real data: Cora (the Planetoid files in ../shared, via
 * their JSON conversion) exported as a user would bring it — a CSV node table with string ids in a shuffled order,
 * the bag-of-words features as a uint8 .npy file, a CSV edge list and the standard split as three files of ids —
 * then, all through the CLI: import → data stats → train (which registers) → models show (lineage) → a sweep over
 * it → serve by string id → explain by string id → drift report against the registered reference profile.
 * The served answers for the 1,000 test ids, scored against Cora's own labels of those papers, must reproduce the
 * registered test accuracy: a wrong id mapping anywhere would score near chance.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../src/util/random.js';
import { npy } from '../data/import-fixtures.js';
import { coraJsonPath } from '../data/shared-data.js';
import { repoRoot, runCli } from './_run.js';

interface CoraJson {
  num_nodes: number;
  num_features: number;
  features: number[][];
  labels: number[];
  edges: [number, number][];
  split: { train: number[]; val: number[]; test: number[] };
}

const skip = existsSync(coraJsonPath) ? false : `real Cora not found at ${coraJsonPath} (../shared is absent)`;
/** A paper's string id: Planetoid's index in a form that can never be read as an index of the import. */
const idOf = (planetoidIndex: number) => `paper-${planetoidIndex}`;

/** Write Cora in the CSV import layout; rows in a seeded shuffled order, so import indices ≠ Planetoid indices. */
function exportCora(c: CoraJson, dir: string) {
  const n = c.num_nodes;
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(11);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  writeFileSync(join(dir, 'nodes.csv'), `id,label\n${order.map((v) => `${idOf(v)},${c.labels[v]}`).join('\n')}\n`);
  const x = new Uint8Array(n * c.num_features);
  order.forEach((v, row) => {
    for (const j of c.features[v]) x[row * c.num_features + j] = 1;
  });
  writeFileSync(join(dir, 'features.npy'), npy('|u1', [n, c.num_features], x));
  writeFileSync(join(dir, 'edges.csv'), `src,dst\n${c.edges.map(([a, b]) => `${idOf(a)},${idOf(b)}`).join('\n')}\n`);
  const part = (name: string, ids: number[]) => {
    const f = join(dir, `${name}.txt`);
    writeFileSync(f, `${ids.map(idOf).join('\n')}\n`);
    return f;
  };
  return { train: part('train', c.split.train), valid: part('valid', c.split.val), test: part('test', c.split.test) };
}

describe('an imported dataset end to end (real Cora as CSV + .npy, string ids)', { skip, timeout: 900_000 }, () => {
  it('import → stats → train/register → lineage → sweep → serve and explain by string id → drift report', async () => {
    const cora = JSON.parse(readFileSync(coraJsonPath, 'utf8')) as CoraJson;
    const home = mkdtempSync(join(tmpdir(), 'gnnops-import-e2e-'));
    const dir = mkdtempSync(join(tmpdir(), 'gnnops-cora-csv-'));
    const split = exportCora(cora, dir);
    const cli = (...args: string[]) => {
      const r = runCli(home, args);
      assert.equal(r.code, 0, `gnnops ${args.join(' ')}\n${r.stderr}`);
      return r.stdout;
    };

    // import: features.npy is found in the folder, the split comes from the three files
    const imp = JSON.parse(
      cli(
        'data',
        'import',
        '--format',
        'csv',
        '--name',
        'cora-csv',
        dir,
        '--train-ids',
        split.train,
        '--valid-ids',
        split.valid,
        '--test-ids',
        split.test,
        '--json',
      ),
    ) as { version: string; nodes: number; features: number; classes: number; split: string; idMap: boolean };
    assert.deepEqual([imp.nodes, imp.features, imp.classes, imp.split, imp.idMap], [2708, 1433, 7, 'files', true]);
    const stats = JSON.parse(cli('data', 'stats', '--dataset', 'cora-csv', '--json')) as {
      nodes: number;
      dataset: { hash: string };
    };
    assert.equal(stats.dataset.hash, imp.version);

    // train registers cora-csv-gcn/1 with the dataset's name and version as lineage
    const run = JSON.parse(
      cli('train', 'data.name=cora-csv', 'train.splits=1', 'train.epochs=200', 'train.patience=50', '--json'),
    ) as { dataset: string; dataset_version: string; model_name: string; model_version: number };
    assert.deepEqual([run.dataset, run.dataset_version, run.model_name], ['cora-csv', imp.version, 'cora-csv-gcn']);
    assert.match(cli('models', 'show', 'cora-csv-gcn/1'), new RegExp(`dataset\\s+cora-csv ${imp.version}`));
    assert.match(cli('models', 'show', 'cora-csv-gcn'), new RegExp(`cora-csv ${imp.version.slice(0, 12)}`));
    const version = JSON.parse(cli('models', 'show', 'cora-csv-gcn', '--json')) as {
      versions: {
        version: number;
        datasetName: string | null;
        datasetHash: string | null;
        metrics: Record<string, number>;
      }[];
    };
    const v1 = version.versions.find((v) => v.version === 1);
    assert.ok(v1, 'version 1 is registered');
    assert.deepEqual([v1.datasetName, v1.datasetHash], ['cora-csv', imp.version]);
    const testAcc = v1.metrics.test_acc;
    assert.ok(testAcc > 0.7, `a GCN on Cora's standard split scores well above chance (test_acc ${testAcc})`);

    // a sweep over the imported dataset: every trial trains on it
    const sweepYaml = join(home, 'sweep.yaml');
    writeFileSync(
      sweepYaml,
      'name: cora-csv-hidden\nmethod: grid\nmetric: {name: val_acc, goal: maximize}\nparameters:\n  model.hidden: {values: [8, 16]}\n',
    );
    const sweep = JSON.parse(
      cli(
        'sweep',
        '-c',
        sweepYaml,
        '--workers',
        '0',
        'data.name=cora-csv',
        'train.splits=1',
        'train.epochs=20',
        '--json',
      ),
    ) as { trials: { status: string; runId?: string | null }[] };
    assert.equal(sweep.trials.length, 2);
    assert.ok(
      sweep.trials.every((t) => t.status === 'finished'),
      JSON.stringify(sweep.trials),
    );
    for (const t of sweep.trials) {
      assert.ok(t.runId, 'each trial is a tracked run');
      const r = JSON.parse(cli('runs', 'show', t.runId, '--json')) as { lineage?: Record<string, unknown> };
      assert.equal(JSON.stringify(r).includes(imp.version), true, 'the trial run records the dataset version');
    }

    // serve the registered version; ask for the test papers by their string ids
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'src/cli/main.ts'),
        'serve',
        '--model',
        'cora-csv-gcn@production',
        '--port',
        '0',
        '--json',
      ],
      { cwd: repoRoot, env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' } },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ids = cora.split.test.map(idOf);
      const res = await post('/v1/predict/nodes', { node_ids: ids });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { predictions: { node_id: string; class: number }[] };
      assert.deepEqual(
        body.predictions.map((p) => p.node_id),
        ids,
      );
      let right = 0;
      cora.split.test.forEach((v, k) => {
        if (body.predictions[k].class === cora.labels[v]) right++;
      });
      assert.ok(
        Math.abs(right / ids.length - testAcc) < 1e-9,
        `served accuracy on the test ids ${right / ids.length} = registered test_acc ${testAcc}`,
      );
      const unknown = await post('/v1/predict/nodes', { node_ids: [idOf(17), 'paper-99999'] });
      assert.equal(unknown.status, 422);
      assert.match(((await unknown.json()) as { error: string }).error, /node_ids\[1\]: unknown node id "paper-99999"/);
      // Subgraph traffic: test papers with up to 9 neighbours each, their features as in Cora. Node-id requests
      // log no feature rows, so these are the rows the logged window's feature drift is measured on.
      const nbrs: number[][] = Array.from({ length: cora.num_nodes }, () => []);
      for (const [a, b] of cora.edges) {
        nbrs[a].push(b);
        nbrs[b].push(a);
      }
      for (const centre of cora.split.test.slice(0, 40)) {
        const nodes = [centre, ...nbrs[centre].slice(0, 9)];
        const x = nodes.map((v) => {
          const row = new Array<number>(cora.num_features).fill(0);
          for (const j of cora.features[v]) row[j] = 1;
          return row;
        });
        const edge = [nodes.slice(1).map((_, k) => k + 1), nodes.slice(1).map(() => 0)];
        const r = await post('/predict', { x, edge_index: edge });
        assert.equal(r.status, 200, await r.text());
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }

    // explain by string id through the CLI
    const ex = JSON.parse(cli('explain', '--nodes', `${idOf(17)},${idOf(3)}`, '--top-k', '3', '--json')) as {
      dataset: string;
      explanations: { node_id: string; node_ids: string[]; nodes: number[] }[];
    };
    assert.equal(ex.dataset, 'cora-csv');
    assert.deepEqual(
      ex.explanations.map((e) => e.node_id),
      [idOf(17), idOf(3)],
    );
    assert.equal(ex.explanations[0].node_ids[0], idOf(17));
    const bad = runCli(home, ['explain', '--nodes', 'paper-99999']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--nodes: unknown node id "paper-99999": no node of dataset cora-csv has this id/);

    // drift: the registered reference profile is the imported features; a sample of them does not drift, the
    // same rows with every word flipped do; the logged traffic carries the version's estimate and test accuracy
    const features = readFileSync(join(dir, 'features.npy'));
    const headerBytes = features.length - 2708 * 1433;
    const rows = 600;
    const clean = npy('|u1', [rows, 1433], features.subarray(headerBytes, headerBytes + rows * 1433));
    const flipped = npy(
      '|u1',
      [rows, 1433],
      Uint8Array.from(clean.subarray(clean.length - rows * 1433), (b) => 1 - b),
    );
    writeFileSync(join(home, 'clean.npy'), clean);
    writeFileSync(join(home, 'flipped.npy'), flipped);
    const report = (file: string) =>
      JSON.parse(cli('drift', 'report', '--model', 'cora-csv-gcn', '--current', join(home, file), '--json')) as {
        dataset: { drifted: boolean };
        model_name: string | null;
        model_version: number | null;
      };
    const cleanReport = report('clean.npy');
    assert.deepEqual([cleanReport.model_name, cleanReport.model_version], ['cora-csv-gcn', 1]);
    assert.equal(cleanReport.dataset.drifted, false);
    assert.equal(report('flipped.npy').dataset.drifted, true);
    const logged = JSON.parse(cli('drift', 'report', '--model', 'cora-csv-gcn', '--json')) as {
      dataset: { drifted: boolean; share: number };
      model_name: string | null;
      accuracyEstimate: { version: string; n: number; testAccuracy: number | null }[];
    };
    assert.equal(logged.model_name, 'cora-csv-gcn');
    assert.equal(
      logged.dataset.drifted,
      false,
      `Cora's own papers do not drift from Cora (share ${logged.dataset.share})`,
    );
    const est = logged.accuracyEstimate.find((e) => e.version === '1');
    assert.ok(est, JSON.stringify(logged.accuracyEstimate));
    assert.ok(est.n >= 1000 + 40, `every served node is in the estimate (${est.n})`);
    assert.equal(est.testAccuracy, testAcc);
  });
});

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const home = mkdtempSync(join(tmpdir(), 'gnnops-start-'));
const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
const cliArgs = ['--import', 'tsx', 'src/cli/main.ts'];

test('npm start’s job on a small WikiCS-format file: trains, registers, promotes, serves, and stops on SIGTERM', async () => {
  // A 300-node generated graph in the WikiCS format: the whole main job in seconds.
  const data = join(home, 'small.json');
  const synth = spawnSync(
    process.execPath,
    [...cliArgs, 'data', 'synth', '--out', data, '--nodes', '300', '--seed', '5'],
    { env, encoding: 'utf8' },
  );
  assert.equal(synth.status, 0, synth.stderr);

  const child = spawn(
    process.execPath,
    [...cliArgs, 'start', '--data-file', data, '--port', '0', 'train.splits=2', 'train.epochs=40'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 120 s:\n${out}\n${err}`)), 120_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving (\S+)@production at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[2]);
      }
    });
    child.on('exit', (code) => reject(new Error(`start exited with ${code}:\n${out}\n${err}`)));
  });
  try {
    assert.match(
      out,
      /gcn on small \[SYNTHETIC, not WikiCS\]: test accuracy \d+\.\d+% ± \d+\.\d+% \(95% CI over 2 splits\)/,
    );
    assert.match(out, /registered small-gcn\/1 \(promoted to production\)/);

    const models = (await (await fetch(`${url}/v1/models`)).json()) as { models: { name: string; version: string }[] };
    assert.deepEqual(
      models.models.map((m) => [m.name, m.version]),
      [['small-gcn', '1']],
    );
    const res = await fetch(`${url}/v1/predict/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node_ids: [0, 299] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: { node_id: number; class: number; probabilities: number[] }[] };
    assert.equal(body.predictions.length, 2);
    for (const p of body.predictions) {
      assert.equal(p.probabilities.length, 10);
      assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      assert.equal(p.class, p.probabilities.indexOf(Math.max(...p.probabilities)));
    }

    // The version was registered with its drift reference: a logged /predict request is compared with it.
    const x = Array.from({ length: 3 }, (_, i) => Array.from({ length: 300 }, (_, j) => Math.sin(i + j)));
    const pred = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        x,
        edge_index: [
          [0, 1],
          [1, 2],
        ],
      }),
    });
    assert.equal(pred.status, 200);
    let drift: { available: boolean; profile_source?: string } = { available: false };
    for (let i = 0; i < 50 && !drift.available; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the request log is written in batches
      drift = (await (await fetch(`${url}/api/drift/latest?window=10`)).json()) as typeof drift;
    }
    assert.equal(drift.available, true);
    assert.match(drift.profile_source ?? '', /registered with small-gcn\/1/);
  } finally {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'SIGTERM shuts the server down cleanly');
  }
});

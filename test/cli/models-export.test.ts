import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadPredictor } from '../../src/serve/native/predictor.js';

const home = mkdtempSync(join(tmpdir(), 'gnnops-export-'));
const env = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' };
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });

test('models export --format onnx: the registered GCN runs in ONNX Runtime with the native engine’s outputs', async () => {
  const data = join(home, 'g.json');
  assert.equal(cli('data', 'synth', '--out', data, '--nodes', '300', '--seed', '4').status, 0);
  assert.equal(cli('train', '--data-file', data, 'train.splits=1', 'train.epochs=20').status, 0);
  const r = cli('models', 'export', 'g-gcn@production', '--format', 'onnx', '--json');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as {
    file: string;
    opset: number;
    model_name: string;
    model_version: number;
    temperature: number;
    fitted_temperature: number | null;
  };
  assert.equal(info.opset, 18);
  // the file applies the version's fitted temperature (train registers it with every version)
  assert.ok(info.fitted_temperature !== null && info.fitted_temperature > 0);
  assert.equal(info.temperature, info.fitted_temperature);
  assert.deepEqual([info.model_name, info.model_version], ['g-gcn', 1]);

  // A 4-node subgraph with a chain of edges, features from the dataset file.
  const g = JSON.parse(readFileSync(data, 'utf8')) as { features: number[][] };
  const n = 4;
  const x = Float32Array.from(g.features.slice(0, n).flat());
  const src = Int32Array.from([0, 1, 2]);
  const dst = Int32Array.from([1, 2, 3]);
  const session = await ort.InferenceSession.create(readFileSync(info.file), { intraOpNumThreads: 1 });
  const out = await session.run({
    x: new ort.Tensor('float32', x, [n, 300]),
    edge_index: new ort.Tensor('int64', BigInt64Array.from([...src, ...dst].map(BigInt)), [2, 3]),
  });
  const onnxProbs = out.probabilities.data as Float32Array;
  await session.release();

  const ckptDir = join(home, 'models', 'g-gcn');
  const ckpt = readdirSync(ckptDir).find((f) => f.endsWith('.safetensors'));
  assert.ok(ckpt);
  const maxDiff = (a: Float32Array, b: Float32Array) => {
    assert.equal(a.length, b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  const calibrated = loadPredictor(join(ckptDir, ckpt), undefined, { temperature: info.temperature });
  const d = maxDiff(onnxProbs, calibrated.predictSubgraph(x, n, src, dst));
  assert.ok(d < 1e-4, `max |Δp| ${d}`);

  // --raw: probabilities = softmax(logits), the native engine at T = 1
  const rawOut = join(home, 'raw.onnx');
  const rr = cli('models', 'export', 'g-gcn@production', '--raw', '--out', rawOut, '--json');
  assert.equal(rr.status, 0, rr.stderr);
  assert.equal(JSON.parse(rr.stdout).temperature, 1);
  const rawSession = await ort.InferenceSession.create(readFileSync(rawOut), { intraOpNumThreads: 1 });
  const rawProbs = (
    await rawSession.run({
      x: new ort.Tensor('float32', x, [n, 300]),
      edge_index: new ort.Tensor('int64', BigInt64Array.from([...src, ...dst].map(BigInt)), [2, 3]),
    })
  ).probabilities.data as Float32Array;
  await rawSession.release();
  const dRaw = maxDiff(rawProbs, loadPredictor(join(ckptDir, ckpt)).predictSubgraph(x, n, src, dst));
  assert.ok(dRaw < 1e-4, `--raw: max |Δp| ${dRaw}`);

  const bad = cli('models', 'export', 'g-gcn@production', '--format', 'tflite');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format: "tflite" is not supported; allowed: onnx/);
});

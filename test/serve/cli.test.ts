import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempHome } from './helpers.js';

const home = tempHome();
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('gnnops serve (CLI errors, no model code needed)', () => {
  it('asks for a model when none is given', () => {
    const r = run();
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no model to serve: give --model NAME@ALIAS/);
  });

  it('names a missing checkpoint file', () => {
    const r = run('--checkpoint', './missing.safetensors');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /checkpoint file not found: \.\/missing\.safetensors/);
  });

  it('names an unknown registered model', () => {
    const r = run('--model', 'wikics-gcn@production');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no registered model "wikics-gcn"/);
  });

  it('names a file that is not a checkpoint, for both runtimes', () => {
    const ckpt = join(home, 'model.safetensors');
    writeFileSync(ckpt, 'placeholder');
    for (const runtime of ['native', 'onnx']) {
      const r = run('--checkpoint', ckpt, '--runtime', runtime);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /model\.safetensors/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('with --workers 2, a worker that cannot load the model stops the whole server', () => {
    const r = run('--model', 'nope@production', '--workers', '2');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no registered model "nope"/);
    assert.match(r.stderr, /stopped before listening/);
  });

  it('rejects bad flags and config values with the key and the limit', () => {
    assert.match(run('--model', 'a/1', '--port', '70000').stderr, /--port: "70000" is not an integer in 0\.\.65535/);
    assert.match(run('--model', 'a/1', 'serve.max_batch=0').stderr, /serve\.max_batch: got 0, expected >= 1/);
    assert.match(run('--model', 'a/1', '--checkpoint', 'x').stderr, /either --model or --checkpoint/);
  });
});

describe('gnnops serve with no --model', () => {
  it('serves the only production model of the workspace and says which', async () => {
    const own = tempHome();
    const env = { ...process.env, GNNOPS_HOME: own, GNNOPS_LOG_LEVEL: 'silent' };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });
    const data = join(own, 'solo.json');
    assert.equal(cli('data', 'synth', '--out', data, '--nodes', '300', '--seed', '4').status, 0);
    const trained = cli('train', '--data-file', data, 'train.splits=1', 'train.epochs=5', '--json');
    assert.equal(trained.status, 0, trained.stderr);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--json'], {
      env,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    try {
      const info = await new Promise<{ url: string; model: string }>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string; model: string });
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      assert.equal(info.model, 'solo-gcn');
      assert.match(err, /serving solo-gcn@production, the only production model/);
      const res = await fetch(`${info.url}/v2/health/ready`);
      assert.equal(res.status, 200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

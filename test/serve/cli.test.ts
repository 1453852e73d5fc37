import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
    assert.match(run('--model', 'a/1', '--port', '70000').stderr, /--port: expected a port 0\.\.65535/);
    assert.match(run('--model', 'a/1', 'serve.max_batch=0').stderr, /serve\.max_batch: got 0, expected >= 1/);
    assert.match(run('--model', 'a/1', '--checkpoint', 'x').stderr, /either --model or --checkpoint/);
  });
});

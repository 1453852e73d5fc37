/** Log lines as a user sees them: one-line text on a terminal, JSON when piped or asked for. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const home = mkdtempSync(join(tmpdir(), 'gnnops-logfmt-'));
const env: NodeJS.ProcessEnv = { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'info' };
delete env.NODE_TEST_CONTEXT;
delete env.GNNOPS_LOG_FORMAT;
const cliArgs = ['--import', 'tsx', 'src/cli/main.ts'];
// A tiny training logs an info line ("model registered") besides its own table.
const data = join(home, 'g.json');
const synthed = spawnSync(
  process.execPath,
  [...['--import', 'tsx', 'src/cli/main.ts'], 'data', 'synth', '--out', data, '--nodes', '200'],
  { env, encoding: 'utf8' },
);
const train = () => ['train', '--data-file', data, 'train.splits=1', 'train.epochs=2'];
const jsonLine = /^\s*\{"level":/m;
// util-linux `script` gives the command a real pseudo-terminal, as a user's shell does.
const hasScript = existsSync('/usr/bin/script');

describe('log format', () => {
  assert.equal(synthed.status, 0, synthed.stderr);
  it('on a terminal: no JSON log lines, one text line per entry', {
    skip: !hasScript && 'needs /usr/bin/script',
  }, () => {
    const cmd = [process.execPath, ...cliArgs, ...train()].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('/usr/bin/script', ['-qc', cmd, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, jsonLine);
    assert.match(r.stdout, /INFO.*model registered/);
    for (const line of r.stdout.split('\n').filter((l) => l.includes('INFO')))
      assert.doesNotMatch(line, /^\s{4}\S+:/, 'fields stay on the entry line');
  });

  it('piped: JSON lines on stderr; --log-format pretty turns them into text', () => {
    const piped = spawnSync(process.execPath, [...cliArgs, ...train()], { env, encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stderr, jsonLine);
    const pretty = spawnSync(process.execPath, [...cliArgs, '--log-format', 'pretty', ...train()], {
      env,
      encoding: 'utf8',
    });
    assert.equal(pretty.status, 0, pretty.stderr);
    assert.doesNotMatch(pretty.stderr, jsonLine);
    assert.match(pretty.stderr, /INFO/);
  });

  it('rejects an unknown format naming the choices', () => {
    const r = spawnSync(process.execPath, [...cliArgs, '--log-format', 'xml', 'runs', 'list'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Allowed choices are pretty, json/);
  });
});

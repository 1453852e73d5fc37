// The pre-commit hook as configured in lefthook.yml, run by the real lefthook binary in a scratch git repository
// (own biome.json/tsconfig.json copies, this checkout's node_modules): a badly formatted file is fixed and re-staged,
// a type error blocks the commit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/check-deploy.js';

const lefthook = join(repoRoot, 'node_modules/.bin/lefthook');
const git = spawnSync('git', ['--version']);
const probe = spawnSync(lefthook, ['version'], { encoding: 'utf8' });
const skip =
  git.status !== 0
    ? 'git is not installed'
    : probe.status !== 0
      ? `the lefthook binary does not run here (${probe.error?.message ?? probe.stderr})`
      : false;

describe('pre-commit hook (lefthook.yml)', { skip }, () => {
  let dir: string;
  const run = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gnnops-hooks-'));
    for (const f of ['lefthook.yml', 'biome.json', 'package.json']) copyFileSync(join(repoRoot, f), join(dir, f));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', noEmit: true, types: [] },
        include: ['src'],
      }),
    );
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    mkdirSync(join(dir, 'src'));
    run('git', ['init', '-q']);
    run('git', ['config', 'user.email', 'test@example.com']);
    run('git', ['config', 'user.name', 'test']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('formats staged files and re-stages them', () => {
    writeFileSync(join(dir, 'src/ok.ts'), 'export const  x:number=1\n');
    run('git', ['add', '.']);
    const r = run(lefthook, ['run', 'pre-commit']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(dir, 'src/ok.ts'), 'utf8'), 'export const x: number = 1;\n');
    const staged = run('git', ['diff', '--cached', '--', 'src/ok.ts']).stdout;
    assert.match(staged, /\+export const x: number = 1;/);
  });

  it('blocks a commit with a type error', () => {
    writeFileSync(join(dir, 'src/bad.ts'), "export const y: number = 'text';\n");
    run('git', ['add', 'src/bad.ts']);
    const r = run(lefthook, ['run', 'pre-commit']);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /TS2322|not assignable/);
  });
});

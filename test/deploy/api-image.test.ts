// Runs the api image's exact command line outside Docker: the runtime stage's files are laid out as its COPY lines
// say (node_modules and build/ from this checkout, dist/ freshly compiled by tsc, package.json and bin/ copied), its
// ENV is applied, GNNOPS_HOME points at a temp workspace holding a registered wikics-gcn@production model, and
// ENTRYPOINT + CMD is started from WORKDIR. The only change is the --port value (a free one instead of 8000, which a
// container would have to itself). Then the HEALTHCHECK command and the V2 health routes must answer.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execForm, parseDockerfile, repoRoot, stageCommand } from '../../scripts/check-deploy.js';

const dockerfile = join(repoRoot, 'deploy/docker/api.Dockerfile');
const { stages } = parseDockerfile(readFileSync(dockerfile, 'utf8'));
const runtime = stages[stages.length - 1];
const kernels = join(repoRoot, 'build/kernels.wasm');
const skip = existsSync(kernels) ? false : 'build/kernels.wasm is missing: run `npm run build:kernels` first';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function cli(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('api image command line (outside Docker)', { skip }, () => {
  let dir: string;
  let app: string;
  let home: string;
  let child: ChildProcess | undefined;
  let port: number;
  let out = '';
  const missing: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gnnops-api-image-'));
    app = join(dir, 'app');
    home = join(dir, 'gnnops-home');
    mkdirSync(app);
    mkdirSync(home);
    // The runtime stage's COPY lines, in order: --from=<stage> /app/X → X from this checkout (dist: compiled now)
    const workdir = runtime.instructions.find((i) => i.keyword === 'WORKDIR')?.args ?? '/app';
    for (const ins of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
      const words = ins.args.split(' ');
      const from = words.find((w) => w.startsWith('--from='));
      const [src, dest] = words.filter((w) => !w.startsWith('--'));
      const rel = from ? src.replace(`${workdir}/`, '') : src;
      const target = join(app, dest === './' ? rel : dest);
      if (rel === 'dist') {
        try {
          execFileSync(
            process.execPath,
            [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', target],
            { cwd: repoRoot, stdio: 'pipe' },
          );
        } catch {
          // a type error elsewhere still emits JavaScript; the check below is what matters
        }
        assert.ok(existsSync(join(target, 'cli/main.js')), 'tsc emitted dist/cli/main.js');
      } else if (rel === 'node_modules') {
        symlinkSync(join(repoRoot, rel), target, 'dir');
      } else if (from && !existsSync(join(repoRoot, rel))) {
        // a build output of the image's build stage that this checkout has not built (web/dist: npm run build:web);
        // the server runs without it (the dashboard route says so)
        missing.push(rel);
      } else {
        cpSync(join(repoRoot, rel), target, { recursive: true });
      }
    }
    for (const ins of runtime.instructions.filter((i) => i.keyword === 'ENV')) {
      for (const m of ins.args.matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
    }
    env.GNNOPS_HOME = home;
    env.GNNOPS_LOG_LEVEL = 'warn';
    // A registered wikics-gcn@production model: a 3-epoch run on a generated 200-node WikiCS-format graph
    const data = join(home, 'synth.json');
    cli(['data', 'synth', '--out', data, '--nodes', '200', '--features', '8', '--json'], env);
    const run = JSON.parse(
      cli(['train', '--data-file', data, 'train.epochs=3', 'train.splits=1', 'train.seeds=1', '--json'], env),
    ) as { run_id: string };
    cli(['models', 'register', 'wikics-gcn', '--run', run.run_id, '--auto-promote', '--json'], env);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts ENTRYPOINT + CMD and answers the health routes and the HEALTHCHECK', async (t) => {
    if (missing.length > 0) t.diagnostic(`not built in this checkout, left out of the layout: ${missing.join(', ')}`);
    const argv = stageCommand(runtime);
    assert.equal(argv[0], 'node');
    port = await freePort();
    const args = argv.slice(1).map((a, i, all) => (all[i - 1] === '--port' ? String(port) : a));
    assert.ok(args.includes(String(port)), 'the CMD sets --port');
    child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const deadline = Date.now() + 60_000;
    let live: Response | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        live = await fetch(`http://127.0.0.1:${port}/v2/health/live`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Documented prerequisite: src/serve/loader.ts is a seam until the serving helper wires checkpoint loading;
    // startServer loads the model before listening, so the process exits with this message until then.
    if (!live && /the model loader is not available yet/.test(out)) {
      t.skip('the registry model loader (src/serve/loader.ts loadServedModel) is not implemented yet');
      return;
    }
    assert.ok(live, `the server answered (exit ${child.exitCode}; output: ${out.slice(-2000)})`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { live: true });
    const ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`);
    assert.equal(ready.status, 200);
    assert.match(out, /serving wikics-gcn\/1 at http:\/\/0\.0\.0\.0:/);

    // The image's HEALTHCHECK command, pointed at this port
    const hc = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    const hcArgv = execForm(hc?.args.replace(/^.*?CMD\s+/, '') ?? '');
    assert.ok(hcArgv && hcArgv[0] === 'node', 'HEALTHCHECK runs node in exec form');
    const probe = hcArgv.slice(1).map((a) => a.replace(':8000/', `:${port}/`));
    execFileSync(process.execPath, probe, { cwd: app, env, stdio: 'pipe', timeout: 10_000 }); // throws on exit ≠ 0

    // SIGTERM (docker stop) shuts down cleanly
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out.slice(-2000));
  });
});

/**
 * OGB-shaped graphs end to end through the CLI, as a user runs them: `gnnops data synth --shape S --scale F`,
 * `gnnops data import --format ogb`, then `gnnops train` on the imported graph, each its own process under
 * `/usr/bin/time -v` (wall clock, CPU, peak RSS). The epoch figures come from the train command's per-epoch log
 * line (stderr is not a terminal here): batches, batches/s, sampled edges/s, evaluation time.
 *
 *   npm run bench -- ogb-scale --shape ogbn-products --scales 0.0081665,0.069148,1 [--work DIR] [--epochs 1]
 *       [--run LABEL=OVERRIDES]… [--skip-import]
 *
 * Default run: mini-batch GraphSAGE, 2 layers of 256, dropout 0.5, Adam lr 0.003, batch 1024, fanouts 15,10, one
 * sampling thread, two kernel threads. `--run` replaces it (repeatable), e.g.
 * `--run "full=model.name=sage model.hidden=256 train.batch_size=0 train.epochs=200"`; the overrides are
 * space-separated key=value pairs after the default ones. Graphs and the workspace live under --work (default
 * .gnnops/bench/ogb-scale); an existing synth output is reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function args1(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}
function argsAll(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === `--${name}`) out.push(args[i + 1]);
  return out;
}

interface Timed {
  code: number | null;
  out: string;
  err: string;
  wallS: number;
  cpuS: number;
  peakMB: number;
}

/** The CLI under /usr/bin/time -v; time's report is cut from the end of stderr. */
function gnnops(home: string, cli: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...cli], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, GNNOPS_HOME: home, GNNOPS_LOG_LEVEL: 'warn' },
  });
  const err = r.stderr;
  const at = err.lastIndexOf('\tCommand being timed:');
  const report = at >= 0 ? err.slice(at) : '';
  const num = (re: RegExp) => Number(report.match(re)?.[1] ?? Number.NaN);
  const wall = report.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/)?.[1] ?? '';
  const wallS = wall.split(':').reduce((s, p) => s * 60 + Number(p), 0);
  return {
    code: r.status,
    out: r.stdout,
    err: at >= 0 ? err.slice(0, at) : err,
    wallS,
    cpuS: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    peakMB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

function check(step: string, r: Timed): void {
  if (r.code !== 0) {
    console.error(`${step} failed (exit ${r.code}):\n${r.err.slice(-4000)}\n${r.out.slice(-2000)}`);
    process.exit(1);
  }
}

const load = () => loadavg()[0].toFixed(1);
const mb = (x: number) => Math.round(x).toLocaleString('en-US');

interface EpochFigures {
  epoch: number;
  batches: number;
  trainS: number;
  bps: number;
  eps: number;
  wait: number;
  evalS: number;
}

/** The train command's per-epoch lines (cli/minibatch-progress.ts, epochLine). */
function epochLines(err: string): EpochFigures[] {
  const re =
    /epoch (\d+): (\d+) batches in ([\d.]+) s \(([\d.]+) batches\/s, ([\d,]+) sampled edges\/s(?:, ([\d.]+)% waiting for samples)?\); evaluation ([\d.]+) s/g;
  return [...err.matchAll(re)].map((m) => ({
    epoch: Number(m[1]),
    batches: Number(m[2]),
    trainS: Number(m[3]),
    bps: Number(m[4]),
    eps: Number(m[5].replace(/,/g, '')),
    wait: Number(m[6] ?? 0),
    evalS: Number(m[7]),
  }));
}

const DEFAULT_RUN = 'sage-minibatch=';
const BASE = [
  'model.name=sage',
  'model.hidden=256',
  'model.layers=2',
  'model.dropout=0.5',
  'train.lr=0.003',
  'train.weight_decay=0',
  'train.batch_size=1024',
  'train.fanouts=15,10',
  'train.sampler_workers=1',
  'train.threads=2',
  'train.seeds=1',
];

export default async function main(args: string[]): Promise<void> {
  const shape = args1(args, 'shape', 'ogbn-products');
  const scales = args1(args, 'scales', '0.0081665').split(',').map(Number);
  const work = resolve(args1(args, 'work', resolve(root, '.gnnops/bench/ogb-scale')));
  const epochs = args1(args, 'epochs', '1');
  const runs = (argsAll(args, 'run').length > 0 ? argsAll(args, 'run') : [DEFAULT_RUN]).map((r) => {
    const eq = r.indexOf('=');
    return {
      label: r.slice(0, eq),
      overrides: r
        .slice(eq + 1)
        .split(/\s+/)
        .filter(Boolean),
    };
  });
  const home = resolve(work, 'home');
  mkdirSync(home, { recursive: true });
  const rows: string[] = [];
  for (const scale of scales) {
    const out = resolve(work, `${shape}-${scale}`);
    const name = `${shape}-${String(scale).replace('.', '_')}`;
    if (!existsSync(resolve(out, 'raw', 'SYNTHETIC.txt'))) {
      const l0 = load();
      const s = gnnops(home, [
        'data',
        'synth',
        '--shape',
        shape,
        '--format',
        'ogb',
        '--scale',
        String(scale),
        '--out',
        out,
        '--json',
      ]);
      check('synth', s);
      console.error(
        `synth ${name}: ${s.wallS.toFixed(1)} s wall, ${s.cpuS.toFixed(1)} s CPU, ${mb(s.peakMB)} MB peak RSS (load ${l0} → ${load()})`,
      );
    }
    let imp = '(skipped)';
    if (!args.includes('--skip-import')) {
      const l0 = load();
      const r = gnnops(home, ['data', 'import', '--format', 'ogb', '--name', name, out, '--force', '--json']);
      check('import', r);
      const j = JSON.parse(r.out) as { nodes: number; edgeEntries: number };
      imp = `${r.wallS.toFixed(1)} s (CPU ${r.cpuS.toFixed(1)} s), ${mb(r.peakMB)} MB`;
      console.error(`import ${name}: ${j.nodes} nodes, ${j.edgeEntries} edge entries; ${imp} (load ${l0} → ${load()})`);
    }
    for (const run of runs) {
      const l0 = load();
      const over = [...BASE, `train.epochs=${epochs}`, ...run.overrides];
      const r = gnnops(home, ['train', `data.name=${name}`, ...over]);
      check(`train ${run.label}`, r);
      const ep = epochLines(r.err);
      const acc = r.out.match(/test accuracy ([\d.]+)/)?.[1] ?? '?';
      const first = ep[0];
      const epoch = first
        ? `${first.trainS.toFixed(1)} s, ${first.batches} batches (${first.bps.toFixed(2)}/s, ${mb(first.eps)} sampled edges/s, ${first.wait.toFixed(1)}% sampler wait); eval ${first.evalS.toFixed(1)} s`
        : `median ${r.out.match(/epoch median ([\d.]+) ms/)?.[1] ?? '?'} ms (full batch)`;
      const engine = r.out.match(/engine memory high-water (\d+) MiB/)?.[1] ?? '?';
      const row = `| ${name} | ${run.label} | ${imp} | ${epoch} | ${ep.length || '?'} | ${r.wallS.toFixed(1)} s (CPU ${r.cpuS.toFixed(1)} s), ${mb(r.peakMB)} MB | ${engine} MiB | ${acc} % | ${l0} → ${load()} |`;
      console.error(row);
      rows.push(row);
    }
  }
  console.log(
    '| graph | run | import: wall (CPU), peak RSS | first epoch: train (batches/s, sampled edges/s, sampler wait); layer-wise eval | epochs | train command: wall (CPU), peak RSS | engine memory high-water | test acc | load avg |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

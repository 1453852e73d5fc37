/**
 * gnnops vs PyTorch 1.13 (../shared/bench/torch_gcn.py) side by side, on the WikiCS-sized synthetic graph:
 *  1. GCN epoch (one training step + one full-graph evaluation), hidden 33, 100 epochs, split 0:
 *     `gnnops bench train` vs `torch_gcn.py --splits 1`; each side's median epoch, then ours / theirs.
 *  2. 20-split wall time with the same epochs on both sides: `gnnops train --no-track` vs `torch_gcn.py --splits 20`
 *     (whole processes, data loading included on both sides).
 * Runs alternate (ours, torch, ours, torch, …) so background load hits both alike; medians over --reps.
 *
 *   npm run bench:vs-torch [-- --reps 3 --epochs 100 --split-epochs 100 --threads 2 --skip-splits]
 * --threads sets both sides (torch.set_num_threads and our kernel threads).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const shared = resolve(root, '../shared');
const torchScript = resolve(shared, 'bench/torch_gcn.py');
const python = '/usr/bin/python3';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

function run(cmd: string, argv: string[], env: Record<string, string> = {}): { out: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GNNOPS_LOG_LEVEL: 'silent', ...env },
    maxBuffer: 1 << 26,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { out: r.stdout, ms };
}

function gnnops(argv: string[], home: string): { out: string; ms: number } {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], { GNNOPS_HOME: home });
}

function torchEpochMs(out: string): number {
  const m = /epoch \(train step \+ eval\) median ([\d.]+) ms/.exec(out);
  if (!m) throw new Error(`could not read torch_gcn.py output:\n${out}`);
  return Number(m[1]);
}

export default async function main(args: string[]): Promise<void> {
  if (!existsSync(torchScript)) throw new Error(`${torchScript} not found (../shared is absent)`);
  const reps = Number(arg(args, 'reps', '3'));
  const epochs = arg(args, 'epochs', '100');
  const splitEpochs = arg(args, 'split-epochs', '100');
  const threads = arg(args, 'threads', '2');
  const home = resolve(root, '.gnnops/bench');
  mkdirSync(home, { recursive: true });
  const file = resolve(home, 'wikics-like.json');
  if (!existsSync(file))
    run(process.execPath, [resolve(shared, 'data/wikics-like/make-wikics-like.mjs'), '--out', file]);
  // Warm the processed-data cache so our timed runs do not include the first parse.
  gnnops(['data', 'stats', '--data-file', file, '--json'], home);

  const ours: { epoch: number; step: number; eval: number; rss: number; threads: number }[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const o = JSON.parse(
      gnnops(
        [
          'bench',
          'train',
          '--data-file',
          file,
          '--model',
          'gcn',
          '--hidden',
          '33',
          '--epochs',
          epochs,
          '--threads',
          threads,
          '--json',
        ],
        home,
      ).out,
    );
    ours.push({
      epoch: o.epoch_ms_median,
      step: o.step_ms_median,
      eval: o.eval_ms_median,
      rss: o.peak_rss_mb,
      threads: o.threads,
    });
    theirs.push(
      torchEpochMs(run(python, [torchScript, file, '--epochs', epochs, '--splits', '1', '--threads', threads]).out),
    );
    console.error(`rep ${r + 1}: ours ${ours[r].epoch} ms, torch ${theirs[r]} ms`);
  }
  const epoch = {
    ours_epoch_ms_median: median(ours.map((x) => x.epoch)),
    ours_step_ms_median: median(ours.map((x) => x.step)),
    ours_eval_ms_median: median(ours.map((x) => x.eval)),
    ours_peak_rss_mb: Math.max(...ours.map((x) => x.rss)),
    torch_epoch_ms_median: median(theirs),
    ratio: 0,
    threads: ours[0].threads,
    runs: { ours: ours.map((x) => x.epoch), torch: theirs },
  };
  epoch.ratio = Math.round((epoch.ours_epoch_ms_median / epoch.torch_epoch_ms_median) * 1000) / 1000;
  console.log(JSON.stringify({ gcn_epoch: epoch, load_average: loadavg() }, null, 2));

  if (args.includes('--skip-splits')) return;
  const oursWall: number[] = [];
  const torchWall: number[] = [];
  const splitReps = Number(arg(args, 'split-reps', '1'));
  for (let r = 0; r < splitReps; r++) {
    const t = gnnops(
      [
        'train',
        '--data-file',
        file,
        `train.epochs=${splitEpochs}`,
        'train.splits=20',
        `train.threads=${threads}`,
        '--no-track',
        '--json',
      ],
      home,
    );
    oursWall.push(t.ms);
    const acc = JSON.parse(t.out).test_acc_mean;
    const p = run(python, [torchScript, file, '--epochs', splitEpochs, '--splits', '20', '--threads', threads]);
    torchWall.push(p.ms);
    console.error(
      `20 splits rep ${r + 1}: ours ${(t.ms / 1000).toFixed(1)} s (test ${(100 * acc).toFixed(2)}), torch ${(p.ms / 1000).toFixed(1)} s (${p.out.trim().split('\n').at(-1)})`,
    );
  }
  const splits = {
    epochs: Number(splitEpochs),
    ours_wall_s: median(oursWall) / 1000,
    torch_wall_s: median(torchWall) / 1000,
    ratio: Math.round((median(oursWall) / median(torchWall)) * 1000) / 1000,
  };
  console.log(JSON.stringify({ splits20: splits, load_average: loadavg() }, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
  process.exit(0);
}

/**
 * `gnnops train [--config FILE] [--preset NAME] [key=value …] [--json]`: trains with the protocol (WikiCS: train.splits
 * splits; Planetoid: train.seeds seeds), writes the checkpoint, records the run and registers the model.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { loadDataset } from '../../data/load.js';
import { runTraining, type TrainingReport } from '../../jobs/train-and-register.js';
import { PhaseTimer, startCpuProfile } from '../../util/cpu-profile.js';
import { homePath } from '../../util/home.js';
import { MiniBatchProgress } from '../minibatch-progress.js';
import { emit, progressBar, table } from '../output.js';

interface TrainFlags {
  config?: string;
  preset?: string;
  dataFile?: string;
  name?: string;
  mirror?: string;
  checkpoint?: string;
  track?: boolean;
  profile?: string | boolean;
  json?: boolean;
}

/**
 * The exact `--json` shape. It carries every identifier a script needs for its next command: the dataset's name and
 * version (content hash), the run id, the checkpoint file, and the registered model's name and version (to serve,
 * promote or report on it) with whether it was promoted.
 */
export function trainJson(r: TrainingReport): Record<string, unknown> {
  return {
    dataset: r.dataset,
    dataset_version: r.dataset_hash,
    model: r.model,
    splits: r.splits,
    test_acc_mean: r.test_acc_mean,
    test_acc_std: r.test_acc_std,
    test_acc_ci95: r.test_acc_ci95,
    val_acc_mean: r.val_acc_mean,
    epoch_ms_median: r.epoch_ms_median,
    best_epoch_median: r.best_epoch_median,
    run_id: r.run_id,
    checkpoint: r.checkpoint,
    model_name: r.model_version === null ? null : r.model_name,
    model_version: r.model_version,
    promoted: r.promotion?.promoted ?? false,
  };
}

const pct = (x: number) => (100 * x).toFixed(2);

export function renderTrain(r: TrainingReport): string {
  const lines = [
    `${r.model} on ${r.dataset}${r.synthetic ? ' [SYNTHETIC graph: not a real dataset]' : ''} (${r.splits} ${r.mode})`,
    table(
      ['#', 'split', 'seed', 'epochs', 'best epoch', 'val acc', 'test acc'],
      r.per_split.map((s) => [s.index, s.split, s.seed, s.epochs, s.best_epoch, pct(s.val_acc), pct(s.test_acc)]),
    ),
    '',
    `test accuracy ${pct(r.test_acc_mean)} ± ${pct(r.test_acc_std)} (std), 95% CI ± ${pct(r.test_acc_ci95)}; val ${pct(r.val_acc_mean)}`,
    `epoch median ${r.epoch_ms_median.toFixed(1)} ms; best epoch median ${r.best_epoch_median}${r.engine_memory_bytes === undefined ? '' : `; engine memory high-water ${(r.engine_memory_bytes / 2 ** 20).toFixed(0)} MiB of wasm32's 4,096`}`,
    `checkpoint ${r.checkpoint} (weights of ${r.mode === 'splits' ? 'split' : 'seed'} #${r.checkpoint_split}, best val accuracy)`,
  ];
  if (r.run_id) lines.push(`run ${r.run_id}`);
  if (r.model_version !== null)
    lines.push(`registered ${r.model_name} v${r.model_version}${r.promotion ? `; ${r.promotion.reason}` : ''}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train a model with the split/seed protocol, write its checkpoint, track the run, register the model.')
    .argument('[overrides...]', 'config overrides key=value (e.g. model.hidden=64 train.lr=0.01)')
    .option('--config <file>', 'YAML config file')
    .option('--preset <name>', 'published hyperparameters (gcn-planetoid, gat-planetoid, gcn-wikics, …)')
    .option('--data-file <file>', 'a WikiCS-format data.json (sets data.file)')
    .option('--name <name>', 'name of the --data-file graph; its model is NAME-gcn, … (sets data.name)')
    .option('--mirror <dir|url>', 'local folder or URL holding the raw dataset files')
    .option('--checkpoint <path>', 'where to write the checkpoint (.safetensors)')
    .option('--no-track', 'do not record a run or register the model')
    .option('--profile [file]', 'write a V8 CPU profile (.cpuprofile) and print a per-phase timing table')
    .option('--json', 'print the summary as JSON')
    .action(async (overrides: string[], flags: TrainFlags) => {
      const extra: ConfigInput = {};
      if (flags.dataFile || flags.name !== undefined)
        extra.data = {
          ...(flags.dataFile ? { file: resolve(flags.dataFile) } : {}),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
        };
      const config = resolveConfig({ file: flags.config, preset: flags.preset, extra, overrides });
      const profilePath =
        flags.profile === undefined
          ? undefined
          : resolve(
              typeof flags.profile === 'string'
                ? flags.profile
                : homePath('profiles', `train-${Date.now()}.cpuprofile`),
            );
      const profiler = profilePath ? await startCpuProfile(profilePath) : undefined;
      const phases = new PhaseTimer();
      const t0 = performance.now();
      const data = await loadDataset(config.data, { mirror: flags.mirror, progress: !flags.json });
      phases.add('load data (cache or parse)', performance.now() - t0);
      const bar = progressBar(flags.json, {
        format: 'split {split} [{bar}] {value}/{total} epochs | val {val} | stop loss {loss}',
        hideCursor: true,
      });
      // Mini-batch runs get one bar per epoch over its batches instead (or one line per epoch in a log).
      const mbProgress = new MiniBatchProgress(flags.json === true);
      let miniBatch = false;
      let splitLabel = '';
      let lastVal = '-';
      const tTrain = performance.now();
      let epochMs = 0;
      const report = await runTraining({
        config,
        data,
        load: { mirror: flags.mirror, progress: !flags.json },
        checkpointPath: flags.checkpoint ? resolve(flags.checkpoint) : undefined,
        track: flags.track !== false,
        onBatching: (b) => {
          miniBatch = true;
          mbProgress.batching(b);
        },
        onRunStart: (i, n, max) => {
          splitLabel = `${i + 1}/${n}`;
          lastVal = '-';
          mbProgress.runStart(splitLabel);
          if (!miniBatch) bar?.start(max, 0, { split: splitLabel, val: '-', loss: '-' });
        },
        onBatch: (_i, p) => mbProgress.batch(p),
        onEpoch: (_i, m) => {
          epochMs += m.epoch_ms;
          lastVal = pct(m.val_acc);
          if (miniBatch) mbProgress.epoch(m);
          else bar?.update(m.epoch + 1, { val: lastVal, loss: m.stopping_loss.toFixed(4) });
          return undefined;
        },
        onRunEnd: () => {
          if (!miniBatch) bar?.stop();
        },
      });
      if (profiler) {
        const total = performance.now() - tTrain;
        phases.add('epochs (train step + evaluation)', epochMs);
        phases.add('protocol overhead, checkpoint, tracking, registry', total - epochMs);
        const written = await profiler.stop();
        process.stderr.write(
          `${table(
            ['phase', 'total ms', 'calls', 'share'],
            phases.rows().map((r) => [r.phase, r.total_ms.toFixed(1), r.calls, `${(100 * r.share).toFixed(1)}%`]),
          )}\nCPU profile: ${written} (open in Chrome DevTools → Performance, or speedscope)\n`,
        );
      }
      emit(flags.json === true, trainJson(report), () => renderTrain(report));
    });
}

/**
 * `gnnops bench train --data-file FILE --model gcn --hidden 33 --epochs 100 [--threads N] [--json]`: the per-epoch
 * training speed of a model on a WikiCS-format file (see src/train/speed.ts for what an epoch is).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { ModelNames } from '../../config/sections/model.js';
import { loadDataset } from '../../data/load.js';
import { benchTrain } from '../../train/speed.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag } from '../output.js';

interface BenchFlags {
  dataFile?: string;
  config?: string;
  model?: string;
  hidden?: string;
  epochs?: string;
  threads?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const bench = program.command('bench').description('Benchmarks.');
  bench
    .command('train')
    .description('Median epoch time (train step + full-graph eval) of a model on a WikiCS-format file.')
    .argument('[overrides...]', 'config overrides key=value')
    .option('--data-file <file>', 'WikiCS-format data.json (e.g. from gnnops data synth)')
    .option('--config <file>', 'YAML config file')
    .option('--model <name>', `model (${ModelNames.join(', ')})`, 'gcn')
    .option('--hidden <n>', 'hidden units', '33')
    .option('--epochs <n>', 'epochs to time', '100')
    .option('--threads <n>', 'kernel threads (0 = all cores)')
    .option('--json', 'print JSON')
    .action(async (overrides: string[], f: BenchFlags) => {
      if (!(ModelNames as readonly string[]).includes(f.model ?? '')) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `--model: "${f.model}" is not one of ${ModelNames.join(', ')}`,
          {
            field: 'model',
            value: f.model,
          },
        );
      }
      const extra: ConfigInput = {
        model: { name: f.model as (typeof ModelNames)[number], hidden: intFlag('hidden', f.hidden, 1, 4096) },
        train: { threads: intFlag('threads', f.threads, 0, 64) },
      };
      if (f.dataFile) extra.data = { file: resolve(f.dataFile) };
      const config = resolveConfig({ file: f.config, extra, overrides });
      const epochs = intFlag('epochs', f.epochs, 1, 100000) ?? 100;
      const data = await loadDataset(config.data, { progress: false });
      const r = benchTrain(config, data, epochs);
      emit(f.json === true, r, () =>
        [
          `${config.model.name} hidden ${config.model.hidden} on ${data.name} (${data.numNodes} nodes), ${epochs} epochs, ${r.threads} threads`,
          `epoch median ${r.epoch_ms_median} ms (step ${r.step_ms_median} ms + eval ${r.eval_ms_median} ms); peak RSS ${r.peak_rss_mb} MB`,
        ].join('\n'),
      );
    });
}

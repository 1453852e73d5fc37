/**
 * Training speed of one model on a WikiCS-format file: the same measurement as `gnnops bench train`.
 *
 *   npm run bench -- train --data-file FILE [--model gcn] [--hidden 33] [--epochs 100] [--threads N]
 */
import { resolve } from 'node:path';
import { resolveConfig } from '../src/config/load.js';
import type { ModelNames } from '../src/config/sections/model.js';
import { loadDataset } from '../src/data/load.js';
import { benchTrain } from '../src/train/speed.js';

function arg(args: string[], name: string, def?: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}

export default async function (args: string[]): Promise<void> {
  const file = arg(args, 'data-file');
  if (!file) throw new Error('--data-file FILE is required (e.g. from `gnnops data synth --out FILE`)');
  const config = resolveConfig({
    extra: {
      data: { file: resolve(file) },
      model: {
        name: (arg(args, 'model', 'gcn') ?? 'gcn') as (typeof ModelNames)[number],
        hidden: Number(arg(args, 'hidden', '33')),
      },
      train: { threads: Number(arg(args, 'threads', '0')) },
    },
  });
  const data = await loadDataset(config.data, { progress: false });
  console.log(JSON.stringify(benchTrain(config, data, Number(arg(args, 'epochs', '100')))));
  process.exit(0);
}

/** `gnnops evaluate --checkpoint PATH [--split K] [--json]`: re-evaluates a saved model on any split. */
import type { Command } from 'commander';
import { restoreTask } from '../../train/restore.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, table } from '../output.js';

interface EvalFlags {
  checkpoint: string;
  split?: string;
  dataFile?: string;
  mirror?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('Evaluate a checkpoint on a split: loss and accuracy on train/val/stopping/test.')
    .requiredOption('--checkpoint <path>', 'a .safetensors checkpoint written by gnnops train')
    .option('--split <k>', 'split to evaluate (default: the split the weights came from)')
    .option('--data-file <file>', 'evaluate on this WikiCS-format file instead of the training data')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--json', 'print JSON')
    .action(async (f: EvalFlags) => {
      let split: number | undefined;
      if (f.split !== undefined) {
        split = Number(f.split);
        if (!Number.isInteger(split) || split < 0) {
          throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--split: "${f.split}" is not a non-negative integer`, {
            field: 'split',
            value: f.split,
          });
        }
      }
      const r = await restoreTask(f.checkpoint, { split, dataFile: f.dataFile, mirror: f.mirror });
      try {
        const m = r.task.evaluate();
        const out = {
          checkpoint: f.checkpoint,
          dataset: r.data.name,
          model: r.ckpt.meta.model.name,
          split: r.task.split,
          ...m,
        };
        emit(f.json === true, out, () =>
          [
            `${out.model} on ${out.dataset}${r.data.synthetic ? ' [SYNTHETIC]' : ''}, split ${out.split}`,
            table(
              ['mask', 'loss', 'accuracy'],
              (['train', 'val', 'stopping', 'test'] as const).map((k) => [
                k,
                (m[`${k}_loss`] ?? Number.NaN).toFixed(4),
                `${(100 * (m[`${k}_acc`] ?? Number.NaN)).toFixed(2)}%`,
              ]),
            ),
          ].join('\n'),
        );
      } finally {
        r.dispose();
      }
    });
}

/**
 * `gnnops evaluate [--model REF | --checkpoint PATH] [--split K] [--json]`: re-evaluates a registered model version
 * or a saved checkpoint on any split. With neither, the workspace's only production model is evaluated.
 */
import type { Command } from 'commander';
import { localModelTarget } from '../../jobs/model-target.js';
import { restoreTask } from '../../train/restore.js';
import { emit, intFlag, table } from '../output.js';

interface EvalFlags {
  checkpoint?: string;
  model?: string;
  split?: string;
  dataFile?: string;
  mirror?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'Evaluate a registered model or a checkpoint on a split: loss and accuracy per mask; on test, per-class scores, macro-F1, the confusion matrix and the 15-bin ECE before and after temperature scaling (the version’s registered T, else one fitted on val).',
    )
    .option('--model <ref>', 'NAME (latest version), NAME@ALIAS or NAME/VERSION; default: the only production model')
    .option('--checkpoint <path>', 'a .safetensors checkpoint written by gnnops train, instead of --model')
    .option('--split <k>', 'split to evaluate (default: the split the weights came from)')
    .option('--data-file <file>', 'evaluate on this WikiCS-format file instead of the training data')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--json', 'print JSON')
    .action(async (f: EvalFlags) => {
      const split = intFlag('split', f.split, 0);
      const target = await localModelTarget(f);
      if (target.model?.defaulted)
        process.stderr.write(
          `gnnops: evaluating ${target.model.ref} (${target.model.name}/${target.model.version}), the only production model\n`,
        );
      const r = await restoreTask(target.checkpoint, { split, dataFile: f.dataFile, mirror: f.mirror });
      try {
        const m = r.task.evaluate();
        // Per-class scores and calibration on test; a registered version is calibrated with its own temperature,
        // anything else with one fitted here on the split's val mask.
        const registeredT = target.model?.temperature ?? null;
        const cls = r.task.classificationReport(registeredT !== null ? { temperature: registeredT } : {});
        const out = {
          checkpoint: target.checkpoint,
          model_name: target.model?.name ?? null,
          model_version: target.model?.version ?? null,
          dataset: r.data.name,
          dataset_version: r.data.hash,
          model: r.ckpt.meta.model.name,
          split: r.task.split,
          ...m,
          accuracy: cls.accuracy,
          macro_f1: cls.macro_f1,
          per_class: cls.per_class,
          confusion: cls.confusion,
          ece: cls.ece,
          ece_calibrated: cls.ece_calibrated,
          temperature: cls.temperature,
          temperature_source: registeredT !== null ? 'registered' : 'fitted',
        };
        emit(f.json === true, out, () =>
          [
            `${target.model ? `${target.model.name}/${target.model.version} (${out.model})` : out.model} on ${out.dataset}${r.data.synthetic ? ' [SYNTHETIC]' : ''}, split ${out.split}`,
            table(
              ['mask', 'loss', 'accuracy'],
              (['train', 'val', 'stopping', 'test'] as const).map((k) => [
                k,
                (m[`${k}_loss`] ?? Number.NaN).toFixed(4),
                `${(100 * (m[`${k}_acc`] ?? Number.NaN)).toFixed(2)}%`,
              ]),
            ),
            `test: macro-F1 ${cls.macro_f1.toFixed(4)}, ECE ${cls.ece.toFixed(4)} → ${cls.ece_calibrated.toFixed(4)} at T = ${cls.temperature.toFixed(3)} (${out.temperature_source})`,
            table(
              ['class', 'precision', 'recall', 'F1', 'support'],
              cls.per_class.map((k) => [
                k.name ?? String(k.class),
                k.precision.toFixed(4),
                k.recall.toFixed(4),
                k.f1.toFixed(4),
                String(k.support),
              ]),
            ),
          ].join('\n'),
        );
      } finally {
        r.dispose();
      }
    });
}

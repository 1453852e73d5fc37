/**
 * `gnnops robustness --checkpoint PATH --out DIR`: test accuracy under growing feature noise, feature shift,
 * edge removal and edge addition; writes curves (SVG/PNG) and a JSON table, and records them as a tracked run.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PerturbationKind } from '../../jobs/robustness/perturb.js';
import { writeRobustnessReport } from '../../jobs/robustness/report.js';
import { defaultLevels, measureRobustness } from '../../jobs/robustness/robustness.js';
import { openStore, Tracker } from '../../track/index.js';
import { emit, intFlag, progressBar, table } from '../output.js';

interface Flags {
  checkpoint: string;
  out: string;
  split?: string;
  dataFile?: string;
  mirror?: string;
  seed: string;
  track: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('robustness')
    .description(
      'Measure how test accuracy degrades under Gaussian feature noise, feature shift, random edge removal and edge addition.',
    )
    .requiredOption('--checkpoint <path>', 'a .safetensors checkpoint written by gnnops train')
    .requiredOption('--out <dir>', 'folder for robustness.json and the curves (SVG, PNG)')
    .option('--split <k>', 'split whose test mask is used (default: the checkpoint’s)')
    .option('--data-file <file>', 'a WikiCS-format data.json instead of the checkpoint’s dataset')
    .option('--mirror <dir|url>', 'raw dataset mirror')
    .option('--seed <n>', 'seed of the random perturbations', '0')
    .option('--no-track', 'do not record the result as a run in the tracking store')
    .option('--json', 'print JSON')
    .action(async (f: Flags) => {
      const total = Object.values(defaultLevels).reduce((a, l) => a + l.length, 0);
      const bar = progressBar(f.json, { format: 'robustness [{bar}] {value}/{total} | {kind} {level}' });
      bar?.start(total, 0, { kind: '', level: '' });
      const result = await measureRobustness(resolve(f.checkpoint), {
        split: intFlag('split', f.split, 0),
        seed: intFlag('seed', f.seed, 0),
        dataFile: f.dataFile,
        mirror: f.mirror,
        onPoint: (kind: PerturbationKind, level: number) => bar?.increment(1, { kind, level }),
      });
      bar?.stop();
      const files = writeRobustnessReport(result, resolve(f.out));
      let runId: string | null = null;
      if (f.track) {
        const store = await openStore();
        try {
          const run = await new Tracker(store, { experiment: 'robustness' }).startRun({
            name: `robustness-${result.model}-${result.dataset}`,
            params: { checkpoint: result.checkpoint, split: result.split, seed: result.seed },
            tags: { kind: 'robustness', synthetic: String(result.synthetic) },
          });
          runId = run.id;
          for (const [kind, points] of Object.entries(result.curves)) {
            for (const [i, p] of points.entries()) run.logMetric(`robustness.${kind}.test_acc`, p.test_acc, i);
          }
          run.logMetric('clean_test_acc', result.clean_test_acc);
          for (const file of files) await run.logArtifact(file.slice(file.lastIndexOf('/') + 1), file, 'report');
          await run.end('finished');
        } finally {
          await store.close();
        }
      }
      emit(Boolean(f.json), { ...result, files, run_id: runId }, () => {
        const rows: (string | number)[][] = [];
        for (const [kind, points] of Object.entries(result.curves))
          for (const p of points) rows.push([kind, p.level, `${(100 * p.test_acc).toFixed(2)}%`]);
        return [
          `${result.model} on ${result.dataset}${result.synthetic ? ' [SYNTHETIC]' : ''}, split ${result.split}: clean test accuracy ${(100 * result.clean_test_acc).toFixed(2)}%`,
          table(['perturbation', 'level', 'test acc'], rows),
          '',
          `written: ${files.join(', ')}`,
          runId ? `tracked as run ${runId}` : '',
        ].join('\n');
      });
    });
}

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { prepareDataset } from '../../data/prepare.js';
import { graphStats } from '../../data/stats.js';
import { writeStatsReport } from '../../data/stats-charts.js';
import { homePath } from '../../util/home.js';
import { emit } from '../output.js';
import { renderStats } from './data.js';

/**
 * `gnnops start`: the main job. For now: prepare the default dataset (WikiCS), verified and cached, and print
 * its statistics with charts in the workspace. Offline, WikiCS cannot be downloaded: start says so plainly and
 * continues on a synthetic WikiCS-format graph, labelled as synthetic everywhere.
 */
export function register(program: Command): void {
  program
    .command('start')
    .description('The main job: prepare the default dataset (WikiCS) and print its statistics.')
    .argument('[overrides...]', 'key=value config overrides, e.g. data.name=cora')
    .option('-c, --config <file>', 'YAML config file')
    .option('--mirror <dirOrUrl>', 'folder or base URL holding the raw files (or env GNNOPS_DATA_MIRROR)')
    .option('--data-file <file>', 'a WikiCS-format data.json to use instead of downloading')
    .option('--no-synthetic', 'fail instead of falling back to a synthetic graph when WikiCS cannot be downloaded')
    .option('--json', 'print JSON')
    .action(
      async (
        overrides: string[],
        opts: { config?: string; mirror?: string; dataFile?: string; synthetic: boolean; json?: boolean },
      ) => {
        const extra = opts.dataFile ? { data: { file: resolve(opts.dataFile) } } : undefined;
        const cfg = resolveConfig({ file: opts.config, overrides, extra });
        const prepared = await prepareDataset(cfg.data, { mirror: opts.mirror, allowSynthetic: opts.synthetic });
        const { graph, info, fallback } = prepared;
        if (fallback) {
          process.stderr.write(
            `gnnops: WikiCS could not be downloaded: ${fallback.reason}\n` +
              `gnnops: continuing with a SYNTHETIC WikiCS-format graph (${fallback.file}); it is NOT WikiCS and its numbers say nothing about WikiCS.\n`,
          );
        }
        const stats = graphStats(graph);
        const report = writeStatsReport(stats, homePath('artifacts', 'data-stats', graph.name));
        emit(
          Boolean(opts.json),
          {
            dataset: graph.name,
            version: graph.hash,
            synthetic: Boolean(graph.synthetic),
            fallback,
            load: info,
            charts: report.files,
            stats,
          },
          () =>
            [
              fallback
                ? '*** SYNTHETIC DATA: WikiCS was not available; these are statistics of a generated graph. ***\n'
                : '',
              renderStats(stats, info),
              '',
              `charts and stats.json: ${report.files[0].replace(/\/stats\.json$/, '')}`,
            ].join('\n'),
        );
      },
    );
}

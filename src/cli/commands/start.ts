import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { prepareDataset } from '../../data/prepare.js';
import { graphStats } from '../../data/stats.js';
import { writeStatsReport } from '../../data/stats-charts.js';
import { serve } from '../../jobs/serve-server.js';
import { modelNameFor, runTraining, type TrainingReport } from '../../jobs/train-and-register.js';
import { Registry } from '../../registry/index.js';
import { openStore } from '../../track/index.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { homePath } from '../../util/home.js';
import { emit } from '../output.js';
import { renderStats } from './data.js';
import { useStoreConfig } from './runs.js';

interface StartFlags {
  config?: string;
  mirror?: string;
  dataFile?: string;
  synthetic: boolean;
  retrain?: boolean;
  serve: boolean;
  port?: string;
  json?: boolean;
}

/** The production version of `name` trained on exactly this data, if one exists. */
async function existingModel(
  name: string,
  datasetHash: string,
): Promise<{ version: number; metrics: Record<string, number> } | null> {
  const store = await openStore();
  try {
    const registry = new Registry(store);
    const prod = (await registry.aliases(name)).production;
    if (prod === undefined) return null;
    const v = await registry.getVersion(name, prod);
    return v.datasetHash === datasetHash ? { version: v.version, metrics: v.metrics } : null;
  } catch (e) {
    // An unreachable store is the user's to fix, not a reason to train again.
    if (e instanceof GnnopsError && e.code === ErrorCodes.NOT_AVAILABLE) throw e;
    return null;
  } finally {
    await store.close();
  }
}

const pct = (x: number | undefined) => (x === undefined ? '?' : `${(100 * x).toFixed(2)}%`);

/**
 * `gnnops start` (`npm start`): the main job, end to end —
 *   1. prepare the default dataset (WikiCS), verified and cached, and write its statistics and charts;
 *   2. train the default model (the WikiCS paper's 2-layer GCN over the 20 splits), track the run, register the
 *      model and promote it, unless a production model trained on the same data already exists;
 *   3. serve the production model (predictions, KServe V2, metrics, dashboard) and print the URL.
 * Offline, WikiCS cannot be downloaded: start says so plainly and continues on a synthetic WikiCS-format graph,
 * labelled as synthetic everywhere — its accuracy says nothing about WikiCS.
 */
export function register(program: Command): void {
  program
    .command('start')
    .description(
      'The main job: prepare WikiCS, train and register the default GCN (unless one exists), then serve it and print the URL.',
    )
    .argument('[overrides...]', 'key=value config overrides, e.g. train.splits=5 model.hidden=64')
    .option('-c, --config <file>', 'YAML config file')
    .option('--mirror <dirOrUrl>', 'folder or base URL holding the raw files (or env GNNOPS_DATA_MIRROR)')
    .option('--data-file <file>', 'a WikiCS-format data.json to use instead of downloading')
    .option('--no-synthetic', 'fail instead of falling back to a synthetic graph when WikiCS cannot be downloaded')
    .option('--retrain', 'train a new model even if a production model for this data exists')
    .option('--no-serve', 'stop after training and registration instead of serving')
    .option('--port <port>', 'port to serve on (default serve.port = 8000)')
    .option('--json', 'print JSON')
    .action(async (overrides: string[], opts: StartFlags) => {
      const extra = {
        ...(opts.dataFile ? { data: { file: resolve(opts.dataFile) } } : {}),
        ...(opts.port ? { serve: { port: Number(opts.port) } } : {}),
      };
      const cfg = resolveConfig({ file: opts.config, preset: 'gcn-wikics', overrides, extra });
      useStoreConfig(cfg.store);
      const json = Boolean(opts.json);
      const say = (line: string) => process.stderr.write(`gnnops: ${line}\n`);

      // 1. data
      const prepared = await prepareDataset(cfg.data, { mirror: opts.mirror, allowSynthetic: opts.synthetic });
      const { graph, info, fallback } = prepared;
      if (fallback) {
        say(`WikiCS could not be downloaded: ${fallback.reason}`);
        say(
          `continuing with a SYNTHETIC WikiCS-format graph (${fallback.file}); it is NOT WikiCS and its numbers say nothing about WikiCS.`,
        );
      }
      const stats = graphStats(graph);
      const charts = writeStatsReport(stats, homePath('artifacts', 'data-stats', graph.name));
      if (!json) {
        process.stdout.write(
          `${fallback ? '*** SYNTHETIC DATA: WikiCS was not available; these are statistics of a generated graph. ***\n' : ''}${renderStats(stats, info)}\n\ncharts and stats.json: ${charts.files[0].replace(/\/stats\.json$/, '')}\n\n`,
        );
      }

      // 2. train + register (or reuse)
      const modelName = modelNameFor(graph.name, cfg.model.name);
      const existing = opts.retrain ? null : await existingModel(modelName, graph.hash);
      let report: TrainingReport | null = null;
      if (existing) {
        say(
          `${modelName}/${existing.version} is already in production for this data (test ${pct(existing.metrics.test_acc_mean)}); use --retrain to train again`,
        );
      } else {
        say(
          `training ${cfg.model.name} on ${graph.name} over ${Math.min(cfg.train.splits, graph.splits.length)} split(s)…`,
        );
        report = await runTraining({ config: { ...cfg, data: prepared.config }, data: graph });
        if (!json) {
          process.stdout.write(
            [
              `${report.model} on ${report.dataset}${report.synthetic ? ' [SYNTHETIC, not WikiCS]' : ''}: ` +
                `test accuracy ${pct(report.test_acc_mean)} ± ${pct(report.test_acc_ci95)} (95% CI over ${report.splits} splits), ` +
                `val ${pct(report.val_acc_mean)}, epoch ${report.epoch_ms_median.toFixed(1)} ms`,
              `run ${report.run_id}; registered ${report.model_name}/${report.model_version}` +
                (report.promotion
                  ? ` (${report.promotion.promoted ? 'promoted to production' : report.promotion.reason})`
                  : ''),
              '',
            ].join('\n'),
          );
        }
      }
      const version = report?.model_version ?? existing?.version ?? null;
      const summary = {
        dataset: graph.name,
        dataset_version: graph.hash,
        synthetic: Boolean(graph.synthetic),
        fallback,
        charts: charts.files,
        stats,
        model: modelName,
        model_version: version,
        trained: report,
        reused: existing,
      };

      // 3. serve
      if (!opts.serve) {
        if (json) emit(true, summary, () => '');
        return;
      }
      const running = await serve({ config: { ...cfg.serve, model: `${modelName}@production` }, storage: cfg.storage });
      const url = running.url;
      if (json) emit(true, { ...summary, url }, () => '');
      else
        process.stdout.write(
          `serving ${modelName}@production at ${url}\n  dashboard ${url}/  ·  API docs ${url}/docs  ·  metrics ${url}/metrics\n  (Ctrl-C stops)\n`,
        );
    });
}

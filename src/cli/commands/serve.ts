import cluster from 'node:cluster';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { Runtimes } from '../../config/sections/serve.js';
import { clusterStartModel, serve } from '../../jobs/serve-server.js';
import { Registry } from '../../registry/registry.js';
import { openStore } from '../../track/store.js';
import { startCpuProfile } from '../../util/cpu-profile.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { homePath } from '../../util/home.js';
import { log } from '../../util/logger.js';
import { intFlag } from '../output.js';
import { useStoreConfig } from './runs.js';

interface ServeFlags {
  port?: string;
  host?: string;
  model?: string;
  checkpoint?: string;
  runtime?: string;
  workers?: string;
  config?: string;
  preset?: string;
  json?: boolean;
  profile?: string | boolean;
}

/**
 * The model to serve when none is named: the workspace's only production model. None or several is a usage error
 * that says what to pass (and, for several, lists them).
 */
async function soleProductionModel(): Promise<string> {
  const store = await openStore({ recover: false });
  try {
    return await new Registry(store).soleModelWithAlias('production');
  } catch (e) {
    if (e instanceof GnnopsError && e.code === ErrorCodes.NOT_FOUND)
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        'no model to serve: give --model NAME@ALIAS, --model NAME/VERSION or --checkpoint PATH (or serve.model=…); no registered model has a production version',
        { field: 'model' },
      );
    throw e;
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve a model over HTTP: POST /predict, /v1/predict/nodes, KServe V2 (/v2/...), /metrics, OpenAPI at /docs.',
    )
    .argument('[overrides...]', 'serve.* key=value overrides, e.g. serve.max_nodes=5000 serve.log_sample_rate=0.1')
    .option('--port <port>', 'TCP port (default serve.port = 8000)')
    .option('--host <host>', 'interface to bind (default serve.host = 127.0.0.1)')
    .option(
      '--model <ref>',
      'NAME@ALIAS (follows the alias: hot reload) or NAME/VERSION; default: the only production model',
    )
    .option('--checkpoint <path>', 'serve a checkpoint file instead of a registered model')
    .option('--runtime <runtime>', `inference runtime: ${Runtimes.join(' | ')}`)
    .option('--workers <n>', 'server processes sharing the port (default serve.workers = 1)')
    .option('-c, --config <file>', 'YAML config file')
    .option('--preset <name>', 'named config preset')
    .option(
      '--profile [file]',
      'write a V8 CPU profile (.cpuprofile) of the server when it shuts down (SIGTERM/Ctrl-C)',
    )
    .option('--json', 'print the listening address as JSON')
    .action(async (overrides: string[], flags: ServeFlags) => {
      if (flags.model && flags.checkpoint) {
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give either --model or --checkpoint, not both');
      }
      const section: Record<string, unknown> = {};
      const port = intFlag('port', flags.port, 0, 65535);
      if (port !== undefined) section.port = port;
      if (flags.host) section.host = flags.host;
      if (flags.model ?? flags.checkpoint) section.model = flags.model ?? flags.checkpoint;
      if (flags.runtime) section.runtime = flags.runtime;
      if (flags.workers !== undefined) section.workers = Number(flags.workers);
      const config = resolveConfig({ file: flags.config, preset: flags.preset, extra: { serve: section }, overrides });
      useStoreConfig(config.store);
      // a cluster worker serves what the primary resolved (jobs/serve-server.ts); only the primary looks it up
      if (config.serve.model === undefined && (cluster.isPrimary || clusterStartModel() === undefined)) {
        const sole = await soleProductionModel();
        config.serve.model = `${sole}@production`;
        if (cluster.isPrimary) process.stderr.write(`gnnops: serving ${sole}@production, the only production model\n`);
      }
      const keep = config.serve.log_retention_rows;
      if (cluster.isPrimary && config.serve.log_requests && keep > 0 && keep < config.drift.window) {
        // the drift loop compares the last drift.window rows with the reference: it would never see a full window
        log.warn(
          { 'serve.log_retention_rows': keep, 'drift.window': config.drift.window },
          'serve.log_retention_rows is below drift.window: drift checks will only ever see a partial window',
        );
      }
      if (flags.profile !== undefined && cluster.isPrimary) {
        const path = resolve(
          typeof flags.profile === 'string' ? flags.profile : homePath('profiles', `serve-${Date.now()}.cpuprofile`),
        );
        const profiler = await startCpuProfile(path);
        const done = () => {
          void profiler.stop().then((p) => process.stderr.write(`gnnops: CPU profile written to ${p}\n`));
        };
        process.once('SIGTERM', done);
        process.once('SIGINT', done);
      }
      const running = await serve({ config: config.serve, storage: config.storage });
      if (!cluster.isPrimary) return; // workers of a cluster stay quiet; the primary prints
      const m = running.server?.holder.current?.model;
      const label = m ? `${m.name}/${m.version}` : `${config.serve.model} (${config.serve.workers} workers)`;
      const info = { url: running.url, docs: `${running.url}/docs`, model: m?.name, version: m?.version };
      if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else {
        process.stdout.write(
          `gnnops: serving ${label} at ${running.url} (API docs ${running.url}/docs; Ctrl-C stops)\n`,
        );
      }
    });
}

import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { Runtimes } from '../../config/sections/serve.js';
import { startServer } from '../../serve/server.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';

interface ServeFlags {
  port?: string;
  host?: string;
  model?: string;
  checkpoint?: string;
  runtime?: string;
  config?: string;
  preset?: string;
  json?: boolean;
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--${name}: expected a port 0..65535, got ${JSON.stringify(v)}`);
  }
  return n;
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
    .option('--model <ref>', 'NAME@ALIAS (follows the alias: hot reload) or NAME/VERSION')
    .option('--checkpoint <path>', 'serve a checkpoint file instead of a registered model')
    .option('--runtime <runtime>', `inference runtime: ${Runtimes.join(' | ')}`)
    .option('-c, --config <file>', 'YAML config file')
    .option('--preset <name>', 'named config preset')
    .option('--json', 'print the listening address as JSON')
    .action(async (overrides: string[], flags: ServeFlags) => {
      if (flags.model && flags.checkpoint) {
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give either --model or --checkpoint, not both');
      }
      const serve: Record<string, unknown> = {};
      const port = intFlag('port', flags.port);
      if (port !== undefined) serve.port = port;
      if (flags.host) serve.host = flags.host;
      if (flags.model ?? flags.checkpoint) serve.model = flags.model ?? flags.checkpoint;
      if (flags.runtime) serve.runtime = flags.runtime;
      const config = resolveConfig({ file: flags.config, preset: flags.preset, extra: { serve }, overrides });
      if (config.serve.model === undefined) {
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          'no model to serve: give --model NAME@ALIAS, --model NAME/VERSION or --checkpoint PATH (or serve.model=…)',
        );
      }
      const server = await startServer({ config: config.serve });
      const m = server.holder.current?.model;
      const info = { url: server.url, docs: `${server.url}/docs`, model: m?.name, version: m?.version };
      if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else {
        process.stdout.write(
          `gnnops: serving ${m?.name}/${m?.version} at ${server.url} (API docs ${server.url}/docs; Ctrl-C stops)\n`,
        );
      }
    });
}

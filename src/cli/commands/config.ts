import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configDocs } from '../../config/docs.js';
import { configJsonSchema, resolveConfig } from '../../config/load.js';
import { presets } from '../../config/presets.js';
import { emit } from '../output.js';

export function register(program: Command): void {
  const config = program.command('config').description('Inspect the configuration schema and resolved values.');
  config
    .command('show')
    .description('Print the resolved config (defaults <- preset <- file <- key=value overrides).')
    .argument('[overrides...]', 'key=value overrides, e.g. model.hidden=64 data.name=cora')
    .option('-c, --config <file>', 'YAML config file')
    .option('--preset <name>', `named preset: ${Object.keys(presets).join(', ')}`)
    .option('--schema', 'print the JSON Schema instead')
    .option('--docs', 'print the Markdown reference of every key')
    .option('--json', 'print JSON instead of YAML')
    .action(
      (
        overrides: string[],
        opts: { config?: string; preset?: string; schema?: boolean; docs?: boolean; json?: boolean },
      ) => {
        if (opts.docs) {
          process.stdout.write(configDocs());
          return;
        }
        const value = opts.schema
          ? configJsonSchema()
          : resolveConfig({ file: opts.config, preset: opts.preset, overrides });
        emit(Boolean(opts.json), value, () => stringify(value));
      },
    );
}

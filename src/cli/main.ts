import { Command, Option } from 'commander';
import { LogFormats } from '../util/logger.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerData } from './commands/data.js';
import { register as registerDrift } from './commands/drift.js';
import { register as registerEvaluate } from './commands/evaluate.js';
import { register as registerExplain } from './commands/explain.js';
import { register as registerModels } from './commands/models.js';
import { register as registerModelsExport } from './commands/models-export.js';
import { register as registerModelsOptimize } from './commands/models-optimize.js';
import { register as registerRobustness } from './commands/robustness.js';
import { register as registerRuns } from './commands/runs.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerStart } from './commands/start.js';
import { register as registerStore } from './commands/store.js';
import { register as registerSweep } from './commands/sweep.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerVisualize } from './commands/visualize.js';
import { reportError } from './output.js';

const VERSION = '0.1.0';

/** Build the CLI. Each command lives in commands/<name>.ts and registers itself here. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gnnops')
    .description('MLOps for graph neural networks: data → train → track → sweep → register → serve → monitor drift.')
    .version(VERSION)
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines on stderr: pretty (one line each) or json; default: pretty on a terminal, json otherwise (also GNNOPS_LOG_FORMAT)',
      ).choices(LogFormats),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerConfig(program);
  registerData(program);
  registerStart(program);
  registerDrift(program);
  registerServe(program);
  registerRuns(program);
  registerRobustness(program);
  registerModels(program);
  registerModelsExport(program);
  registerModelsOptimize(program);
  registerSweep(program);
  registerStore(program);
  registerTrain(program);
  registerBench(program);
  registerEvaluate(program);
  registerExplain(program);
  registerVisualize(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed help/version/usage errors.
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e, json);
  }
}

const entry = process.argv[1] ?? '';
if (entry.endsWith('cli/main.ts') || entry.endsWith('cli/main.js')) await main(process.argv);

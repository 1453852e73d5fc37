import { type Logger, pino } from 'pino';

export const LogFormats = ['pretty', 'json'] as const;
export type LogFormat = (typeof LogFormats)[number];

/**
 * The log format: `--log-format` on the command line, else GNNOPS_LOG_FORMAT, else one-line human text on a
 * terminal and JSON lines otherwise. The logger exists before commander parses the command line (every module
 * imports it), so the flag is read from argv here; the CLI declares the same flag for its help and validation.
 */
function logFormat(argv: readonly string[], env: NodeJS.ProcessEnv): LogFormat {
  const at = argv.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const flag = at < 0 ? undefined : argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
  const chosen = flag ?? env.GNNOPS_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * Structured logs on stderr, so that stdout stays clean for --json output. GNNOPS_LOG_LEVEL sets the level
 * (default info; 'silent' in tests). Pretty logs are single lines, so they read as part of a command's output
 * instead of breaking up its tables.
 */
function makeLogger(): Logger {
  const level = process.env.GNNOPS_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'silent' : 'info');
  if (logFormat(process.argv, process.env) === 'pretty') {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: {
          destination: 2,
          colorize: Boolean(process.stderr.isTTY),
          ignore: 'pid,hostname',
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss',
        },
      },
    });
  }
  return pino({ level }, pino.destination(2));
}

export const log: Logger = makeLogger();
export type { Logger };

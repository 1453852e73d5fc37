import { type Logger, pino } from 'pino';

/**
 * Structured logs: human-readable (pino-pretty) on a TTY, JSON lines otherwise. Logs go to stderr so that
 * stdout stays clean for --json output. GNNOPS_LOG_LEVEL sets the level (default info; 'silent' in tests).
 */
function makeLogger(): Logger {
  const level = process.env.GNNOPS_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'silent' : 'info');
  if (process.stderr.isTTY) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level }, pino.destination(2));
}

export const log: Logger = makeLogger();
export type { Logger };

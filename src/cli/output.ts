import cliProgress from 'cli-progress';
import { ErrorCodes, GnnopsError, isGnnopsError } from '../util/errors.js';
import { log } from '../util/logger.js';

/**
 * A progress bar on stderr for long work, or null when nobody watches it: stderr is not a terminal, or the output is
 * --json for a script.
 */
export function progressBar(json: boolean | undefined, opts: cliProgress.Options): cliProgress.SingleBar | null {
  if (json || !process.stderr.isTTY) return null;
  return new cliProgress.SingleBar({ stream: process.stderr, ...opts }, cliProgress.Presets.shades_classic);
}

/**
 * A progress callback for work that runs in named phases (parse, then build, then write…): each new phase restarts
 * the bar with its own total, so the bar's `{phase}` token names what is being counted. A no-op without a bar.
 */
export function phasedProgress(
  bar: cliProgress.SingleBar | null,
): (phase: string, done: number, total: number) => void {
  let current = '';
  return (phase, done, total) => {
    if (!bar) return;
    if (phase !== current) {
      if (current) bar.stop();
      current = phase;
      bar.start(total, done, { phase });
    } else bar.update(done);
  };
}

/** Print a result: JSON on stdout with --json, otherwise the human rendering. */
export function emit(json: boolean, value: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** Report an error without a stack trace for user errors; exit codes: 2 = usage/config/data, 1 = anything else. */
export function reportError(e: unknown, json: boolean): number {
  if (isGnnopsError(e)) {
    if (json)
      process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } })}\n`);
    process.stderr.write(`gnnops: ${e.message}\n`);
    return e.code === ErrorCodes.INTERNAL ? 1 : 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  log.error({ err }, 'unexpected error');
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: ErrorCodes.INTERNAL, message: err.message } })}\n`);
  process.stderr.write(`gnnops: unexpected error: ${err.message}\n`);
  return 1;
}

/** Format rows as an aligned text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * The one parser of an integer flag. An absent flag stays undefined (the caller's default applies); anything else
 * must be an integer in min..max, or it is INVALID_ARGUMENT naming --name, the value given and the range.
 */
export function intFlag(name: string, v: string, min: number, max?: number): number;
export function intFlag(name: string, v: string | undefined, min: number, max?: number): number | undefined;
export function intFlag(
  name: string,
  v: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--${name}: ${JSON.stringify(v)} is not an integer ${range}`, {
      field: name,
      value: v,
      ...(max === Number.MAX_SAFE_INTEGER ? {} : { limit: max }),
    });
  }
  return n;
}

/**
 * `gnnops drift prune-log`: apply request-log retention by hand (the server applies serve.log_retention_rows and
 * serve.log_retention_hours itself, in its writer thread). Without flags it applies the configured limits.
 */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { databaseTarget, SqliteDb } from '../../db/index.js';
import { openLogStore } from '../../monitor/log-store.js';
import { countRequestLog } from '../../request-log/reader.js';
import { RequestLogPruner, type RetentionPolicy, retentionEnabled } from '../../request-log/retention.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag } from '../output.js';
import { useStoreConfig } from './runs.js';

interface PruneLogOpts {
  keepRows?: string;
  olderThan?: string;
  vacuum?: boolean;
  config?: string;
  json?: boolean;
}

export interface PruneLogResult {
  policy: { keep_rows: number; max_age_hours: number };
  deleted_by_rows: number;
  deleted_by_age: number;
  remaining: number;
  /** DELETE statements run (each its own short transaction). */
  chunks: number;
  /**
   * Size of the SQLite store file before and after (after VACUUM, with --vacuum; freed pages are otherwise reused);
   * null for a PostgreSQL store, whose space is the server's business (autovacuum reuses freed rows).
   */
  file_bytes_before: number | null;
  file_bytes_after: number | null;
  vacuumed: boolean;
}

const AGE_UNITS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 } as const;

/** `30m`, `24h`, `7d` → milliseconds. */
export function parseAge(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(v.trim());
  const ms = m ? Number(m[1]) * AGE_UNITS[m[2] as keyof typeof AGE_UNITS] : Number.NaN;
  if (!(ms > 0))
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      `--older-than must be a positive age such as 30m, 24h or 7d, got "${v}"`,
      { field: 'older-than', value: v },
    );
  return ms;
}

/** The store file plus its WAL (the space the log takes on disk). */
function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((a, p) => a + (existsSync(p) ? statSync(p).size : 0), 0);
}

/**
 * Apply a retention policy to the workspace request log now, in bounded chunks; optionally VACUUM after (SQLite
 * returns the freed pages to the OS; PostgreSQL's VACUUM marks them reusable at once).
 */
export async function pruneRequestLogNow(
  policy: RetentionPolicy,
  vacuum = false,
  now = Date.now(),
): Promise<PruneLogResult> {
  const target = databaseTarget();
  const { db } = await openLogStore(target);
  const file = target.dialect === 'sqlite' ? target.path : undefined;
  try {
    const before = file ? fileBytes(file) : null;
    const t = await new RequestLogPruner(db, policy).pruneAll(now);
    if (vacuum) {
      if (db instanceof SqliteDb) {
        await db.exec('VACUUM');
        db.raw.pragma('wal_checkpoint(TRUNCATE)');
      } else await db.exec('VACUUM request_log');
    }
    return {
      policy: { keep_rows: policy.maxRows, max_age_hours: policy.maxAgeMs / 3_600_000 },
      deleted_by_rows: t.byRows,
      deleted_by_age: t.byAge,
      remaining: await countRequestLog(db),
      chunks: t.chunks,
      file_bytes_before: before,
      file_bytes_after: file ? fileBytes(file) : null,
      vacuumed: vacuum,
    };
  } finally {
    await db.close();
  }
}

const mb = (b: number | null) => (b === null ? 'size on the server' : `${(b / 2 ** 20).toFixed(1)} MB`);

export function registerPruneLog(drift: Command): void {
  drift
    .command('prune-log')
    .description(
      'Delete old request-log rows now: --keep-rows N newest and/or --older-than AGE; without either, the configured serve.log_retention_rows / serve.log_retention_hours (the server applies those itself in the background).',
    )
    .option('--keep-rows <n>', 'keep the N newest rows (first-committed go first)')
    .option('--older-than <age>', 'delete rows older than this age: 30m, 24h, 7d')
    .option(
      '--vacuum',
      'then VACUUM the store to return the freed space to the OS (locks the whole store while it runs)',
    )
    .option('-c, --config <file>', 'YAML config file (serve.log_retention_*, store.url)')
    .option('--json', 'print the result as JSON')
    .argument('[overrides...]', 'key=value config overrides, e.g. serve.log_retention_rows=50000')
    .action(async (overrides: string[], opts: PruneLogOpts) => {
      const cfg = resolveConfig({ file: opts.config, overrides });
      useStoreConfig(cfg.store);
      let policy: RetentionPolicy;
      if (opts.keepRows !== undefined || opts.olderThan !== undefined) {
        policy = {
          maxRows: intFlag('keep-rows', opts.keepRows, 1) ?? 0,
          maxAgeMs: opts.olderThan !== undefined ? parseAge(opts.olderThan) : 0,
        };
      } else {
        const s = cfg.serve;
        policy = { maxRows: s.log_retention_rows, maxAgeMs: s.log_retention_hours * 3_600_000 };
        if (!retentionEnabled(policy) && !opts.vacuum)
          throw new GnnopsError(
            ErrorCodes.INVALID_ARGUMENT,
            'no retention limit: serve.log_retention_rows and serve.log_retention_hours are both 0; pass --keep-rows N or --older-than AGE',
            { field: 'keep-rows' },
          );
      }
      const r = await pruneRequestLogNow(policy, Boolean(opts.vacuum));
      emit(Boolean(opts.json), r, () =>
        [
          `deleted ${r.deleted_by_rows + r.deleted_by_age} request-log rows (${r.deleted_by_rows} over the row limit` +
            `${policy.maxRows ? ` of ${policy.maxRows}` : ''}, ${r.deleted_by_age} by age` +
            `${policy.maxAgeMs ? ` over ${r.policy.max_age_hours} h` : ''}) in ${r.chunks} chunks; ${r.remaining} remain`,
          r.vacuumed
            ? `store ${mb(r.file_bytes_before)} → ${mb(r.file_bytes_after)} after VACUUM`
            : `store ${mb(r.file_bytes_after)} (freed pages are reused by new rows; --vacuum returns them to the OS)`,
        ].join('\n'),
      );
    });
}

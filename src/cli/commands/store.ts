/**
 * `gnnops store …`: the workspace's SQL store. `store migrate` copies it into a shared store (PostgreSQL, or another
 * SQLite file) and its artifacts into object storage.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { openTarget, parseDatabaseUrl, redactUrl, type SqlDb } from '../../db/index.js';
import { migrateStore, type StoreMigrateReport } from '../../jobs/store-migrate.js';
import { openStorage, parseStorageUrl } from '../../storage/index.js';
import { ArtifactStore } from '../../track/cas.js';
import { gnnopsHome } from '../../util/home.js';
import { emit, intFlag, phasedProgress, progressBar, table } from '../output.js';

interface MigrateOpts {
  to: string;
  storageTo?: string;
  from?: string;
  batch?: string;
  json?: boolean;
}

/** The human rendering: one line per table, then the blobs and the verdict. */
export function formatMigrateReport(r: StoreMigrateReport): string {
  const lines = [
    `${r.from} → ${r.to}`,
    r.applied.length > 0
      ? `migrations applied on the target: ${r.applied.join(', ')}`
      : 'target schema already current',
    '',
    table(
      ['table', 'package', 'source', 'copied', 'present', 'target', 'note'],
      r.tables.map((t) => [
        t.table,
        t.package,
        t.source,
        t.copied,
        t.present,
        t.skipped ? '—' : t.target,
        t.skipped ?? '',
      ]),
    ),
  ];
  if (r.blobs) {
    lines.push(
      '',
      `blobs → ${r.storageTo}: ${r.blobs.referenced} referenced, ${r.blobs.uploaded} uploaded, ${r.blobs.present} already there (every digest verified)`,
    );
  }
  lines.push('', r.ok ? 'verified: row counts equal' : `MISMATCH: ${r.mismatch}`);
  return lines.join('\n');
}

async function runMigrate(o: MigrateOpts): Promise<StoreMigrateReport> {
  const home = gnnopsHome();
  const source = openTarget(parseDatabaseUrl(o.from ?? `sqlite:${join(home, 'gnnops.db')}`, home, '--from'));
  let target: SqlDb | null = null;
  try {
    target = openTarget(parseDatabaseUrl(o.to, home, '--to'));
    const storage = o.storageTo
      ? { remote: openStorage(parseStorageUrl(o.storageTo, '--storage-to'), home), display: redactUrl(o.storageTo) }
      : undefined;
    const bar = progressBar(o.json, { format: '{phase} [{bar}] {value}/{total}', hideCursor: true });
    try {
      return await migrateStore({
        source,
        target,
        cas: new ArtifactStore(join(home, 'artifacts')),
        storage,
        batchRows: intFlag('--batch', o.batch, 1, 10_000),
        onProgress: phasedProgress(bar),
      });
    } finally {
      bar?.stop();
    }
  } finally {
    await source.close();
    await target?.close();
  }
}

export function register(program: Command): void {
  const store = program.command('store').description("The workspace's SQL store of runs, registry, sweeps and logs.");
  store
    .command('migrate')
    .summary(
      'Copy the workspace store (runs, registry, logs) and its artifacts into a shared store; rerunnable, verified.',
    )
    .description(
      "Copy the workspace's store into another store (a shared PostgreSQL server, or another SQLite file) and, " +
        'with --storage-to, the artifacts its rows reference into object storage. Every package migrates the target ' +
        'first; rows are copied in key order with their ids, versions, aliases and audit history; PostgreSQL identity ' +
        'counters are advanced past the copied ids. Rows the target already has are kept, so the command can be ' +
        'rerun safely (a rerun copies nothing). It then verifies that every table has as many rows in the target as ' +
        'in the source and that every uploaded blob hashes to its digest, and exits non-zero naming the first ' +
        "mismatch. A source table this gnnops does not know is refused. Sweeps stay in each workspace's gnnops.db: " +
        'they are copied into a SQLite target and listed as skipped for PostgreSQL. Afterwards point the workspaces ' +
        'at the target with GNNOPS_DATABASE_URL (or store.url) and GNNOPS_STORAGE_URL.',
    )
    .requiredOption('--to <url>', 'the target store: postgres://user[:password]@host:port/db or sqlite:PATH')
    .option('--storage-to <url>', 'upload referenced blobs to this storage: file:///PATH or s3://BUCKET/PREFIX')
    .option('--from <url>', "the source store (default: the workspace's SQLite file, $GNNOPS_HOME/gnnops.db)")
    .option('--batch <rows>', 'rows per INSERT (default: up to 500, fewer for wide tables)')
    .option('--json', 'print the report as JSON')
    .action(async (o: MigrateOpts) => {
      const report = await runMigrate(o);
      emit(Boolean(o.json), report, () => formatMigrateReport(report));
      // The report is already printed (with --json, as the one JSON document on stdout); only the verdict is left.
      if (!report.ok) {
        process.stderr.write(`gnnops: store migrate: verification failed: ${report.mismatch}\n`);
        process.exitCode = 1;
      }
    });
}

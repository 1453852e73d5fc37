/**
 * `gnnops drift history`: the stored results of the server's scheduled drift checks (one per serve.drift_interval_s
 * for the whole deployment, run by the replica holding the drift-check lease), which outlive request-log retention.
 */
import type { Command } from 'commander';
import { databaseTarget } from '../../db/index.js';
import { driftCheckHistory, driftCheckJson } from '../../monitor/drift-history.js';
import { openLogStore } from '../../monitor/log-store.js';
import { emit, intFlag, table } from '../output.js';
import { parseSince } from './drift.js';

interface HistoryOpts {
  since?: string;
  model?: string;
  leader?: string;
  limit?: string;
  json?: boolean;
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

export function registerDriftHistory(drift: Command): void {
  drift
    .command('history')
    .description(
      "List the stored scheduled drift checks, oldest first: drift share, prediction drift, the served version's estimated accuracy and the alert flags, with the replica that ran each.",
    )
    .option('--since <time>', 'only checks since this ISO time or age (30m, 2h, 7d)')
    .option('--model <name>', 'only checks of this served model')
    .option('--leader <replica>', 'only checks run by this replica (serve.replica)')
    .option('--limit <n>', 'the newest N checks (default 100)')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: HistoryOpts) => {
      const limit = intFlag('limit', opts.limit, 1, 1_000_000) ?? 100;
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      const store = await openLogStore(databaseTarget());
      let checks: Awaited<ReturnType<typeof driftCheckHistory>>;
      try {
        checks = await driftCheckHistory(store.db, { since, model: opts.model, leader: opts.leader, limit });
      } finally {
        await store.db.close();
      }
      const flags = (c: (typeof checks)[number]) =>
        [c.datasetDrifted && 'DATASET', c.predictionDrifted && 'PREDICTIONS', c.accuracyDrop && 'ACCURACY']
          .filter(Boolean)
          .join(',') || '–';
      emit(Boolean(opts.json), { checks: checks.map(driftCheckJson) }, () =>
        checks.length === 0
          ? 'no stored drift checks (a server logging requests runs one every serve.drift_interval_s)'
          : table(
              [
                'time (UTC)',
                'model',
                'leader',
                'requests',
                'drift share',
                'pred. score',
                'est. acc.',
                'test acc.',
                'alerts',
              ],
              checks.map((c) => [
                new Date(c.ts).toISOString().replace('T', ' ').slice(0, 19),
                c.model ? `${c.model}/${c.version}` : '–',
                c.leader,
                c.requests,
                c.available ? pct(c.driftShare) : 'no features',
                c.predictionScore === null ? '–' : c.predictionScore.toFixed(3),
                pct(c.estimatedAccuracy),
                pct(c.testAccuracy),
                flags(c),
              ]),
            ),
      );
    });
}

import type { Command } from 'commander';
import type { StoreConfig } from '../../config/sections/store.js';
import { compareRuns, type RunComparison, writeComparison } from '../../track/compare.js';
import { exportRunsToMlflow } from '../../track/mlflow.js';
import { openStore, type Store } from '../../track/store.js';
import { Tracker } from '../../track/tracker.js';
import { type RunRecord, type RunStatus, RunStatuses } from '../../track/types.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag, table } from '../output.js';

/** Open the workspace store (GNNOPS_DATABASE_URL, else the workspace file) for one command and always close it. */
export async function withStore<T>(fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Make a resolved config's `store.url` the store of this process and of the processes it starts (serve and sweep
 * workers), as GNNOPS_DATABASE_URL would; the variable, when set, takes precedence.
 */
export function useStoreConfig(store: StoreConfig): void {
  if (store.url && !process.env.GNNOPS_DATABASE_URL?.trim()) process.env.GNNOPS_DATABASE_URL = store.url;
}

export function fmtTime(t: number | null): string {
  return t === null ? '—' : new Date(t).toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
}

function fmtDuration(r: RunRecord): string {
  const end = r.endTime ?? (r.status === 'running' ? Date.now() : null);
  if (end === null) return '—';
  const s = (end - r.startTime) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
}

function fmtGit(r: RunRecord): string {
  return r.gitSha ? `${r.gitSha.slice(0, 7)}${r.gitDirty ? '*' : ''}` : '—';
}

function parseStatus(s: string | undefined): RunStatus | undefined {
  if (s === undefined) return undefined;
  if (!(RunStatuses as readonly string[]).includes(s)) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--status "${s}" must be one of ${RunStatuses.join(', ')}`, {
      status: s,
    });
  }
  return s as RunStatus;
}

/** The params-diff and metrics tables of a comparison, as text. */
export function comparisonTables(c: RunComparison, allParams: boolean): string {
  const heads = c.runs.map((r, i) => `${i + 1}:${r.name}`);
  const params = c.params.filter((p) => allParams || p.differs);
  const parts: string[] = [
    table(
      ['#', 'run', 'id', 'experiment', 'status'],
      c.runs.map((r, i) => [i + 1, r.name, r.id.slice(0, 8), r.experiment, r.status]),
    ),
    '',
    allParams ? 'Params:' : `Params that differ (${params.length} of ${c.params.length}; --all for every one):`,
  ];
  if (params.length > 0) {
    parts.push(
      table(
        ['param', ...heads],
        params.map((p) => [`${p.differs ? '≠ ' : '  '}${p.key}`, ...p.values.map((v) => v ?? '—')]),
      ),
    );
  }
  parts.push('', 'Last metric values (* = best; min for loss/error keys, else max):');
  if (c.metrics.length > 0) {
    parts.push(
      table(
        ['metric', ...heads],
        c.metrics.map((m) => [
          m.key,
          ...m.values.map((v, i) => `${fmtNum(v)}${i === m.best && c.runs.length > 1 ? ' *' : ''}`),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

export function register(program: Command): void {
  const runs = program.command('runs').description('Tracked runs: list, show, compare, export to MLflow.');

  runs
    .command('list')
    .description('List runs, newest first.')
    .option('--experiment <name>', 'only this experiment')
    .option('--status <status>', `only runs with this status (${RunStatuses.join('|')})`)
    .option('--sweep <id>', 'only trials of this sweep')
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--json', 'print JSON')
    .action(async (o: { experiment?: string; status?: string; sweep?: string; limit: string; json?: boolean }) => {
      const filter = {
        experiment: o.experiment,
        status: parseStatus(o.status),
        sweepId: o.sweep,
        limit: intFlag('limit', o.limit, 1, 100000),
      };
      await withStore(async (store) => {
        const list = await new Tracker(store).listRuns(filter);
        emit(Boolean(o.json), list, () =>
          list.length === 0
            ? 'no runs'
            : table(
                ['id', 'name', 'experiment', 'status', 'started (UTC)', 'duration', 'dataset', 'git'],
                list.map((r) => [
                  r.id.slice(0, 8),
                  r.name,
                  r.experiment,
                  r.status,
                  fmtTime(r.startTime),
                  fmtDuration(r),
                  r.datasetName ?? '—',
                  fmtGit(r),
                ]),
              ),
        );
      });
    });

  runs
    .command('show')
    .description('Show a run: params, last metrics, tags, artifacts and lineage.')
    .argument('<run>', 'run id, unique id prefix, or unique name')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      await withStore(async (store) => {
        const d = await new Tracker(store).detail(ref);
        emit(Boolean(o.json), d, () => {
          const r = d.run;
          const lines = [
            `run ${r.id}  (${r.name})`,
            `experiment  ${r.experiment}`,
            `status      ${r.status}${r.statusReason ? ` — ${r.statusReason}` : ''}`,
            `started     ${fmtTime(r.startTime)} UTC   ended ${fmtTime(r.endTime)}   (${fmtDuration(r)})`,
            `git         ${r.gitSha ?? '—'}${r.gitDirty ? ' (dirty)' : ''}`,
            `dataset     ${r.datasetName ?? '—'}  ${r.datasetHash ?? ''}`,
            `host/pid    ${r.host} / ${r.pid}    gnnops ${r.gnnopsVersion}`,
            `lineage     parent ${d.lineage.parent ?? '—'}   sweep ${d.lineage.sweep ?? '—'}   children ${d.lineage.children.length}`,
            `registered  ${d.lineage.modelVersions.map((m) => `${m.model}/${m.version}`).join(', ') || '—'}`,
            '',
          ];
          const params = Object.entries(d.params);
          lines.push(`Params (${params.length}):`, params.length ? table(['key', 'value'], params) : '  none', '');
          const metrics = Object.entries(d.metrics);
          lines.push(
            `Metrics (${metrics.length}, last value):`,
            metrics.length
              ? table(
                  ['key', 'value', 'step'],
                  metrics.map(([k, m]) => [k, fmtNum(m.value), m.step]),
                )
              : '  none',
            '',
          );
          const tags = Object.entries(d.tags);
          lines.push(`Tags (${tags.length}):`, tags.length ? table(['key', 'value'], tags) : '  none', '');
          lines.push(
            `Artifacts (${d.artifacts.length}):`,
            d.artifacts.length
              ? table(
                  ['name', 'kind', 'size', 'sha256'],
                  d.artifacts.map((a) => [a.name, a.kind, a.size, a.digest.slice(0, 16)]),
                )
              : '  none',
          );
          return lines.join('\n');
        });
      });
    });

  runs
    .command('compare')
    .description('Compare runs: params diff, last metrics, and metric curves as SVG charts with --out.')
    .argument('<runs...>', 'two or more runs (ids, prefixes or names)')
    .option('--out <dir>', 'write curve-<metric>.svg charts, compare.json and compare.md here')
    .option('--metrics <keys>', 'comma-separated metric keys to compare (default: all)')
    .option('--all', 'list every param, not only those that differ')
    .option('--json', 'print JSON')
    .action(async (refs: string[], o: { out?: string; metrics?: string; all?: boolean; json?: boolean }) => {
      if (refs.length < 2) {
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `runs compare needs at least 2 runs, got ${refs.length}`);
      }
      await withStore(async (store) => {
        const c = await compareRuns(new Tracker(store), refs, {
          metrics: o.metrics
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        });
        const text = comparisonTables(c, Boolean(o.all));
        const files = o.out ? writeComparison(c, o.out, text) : [];
        emit(Boolean(o.json), { ...c, files }, () =>
          files.length ? `${text}\n\nWrote ${files.length} files to ${o.out}` : text,
        );
      });
    });

  runs
    .command('export')
    .description('Push runs to an MLflow tracking server (REST API 2.0): params, metric series, tags, status.')
    .argument('<runs...>', 'runs to export (ids, prefixes or names)')
    .requiredOption('--mlflow <url>', 'MLflow tracking server, e.g. http://127.0.0.1:5000')
    .option('--experiment <name>', 'MLflow experiment name (default: the run’s experiment)')
    .option('--force', 'export again runs already exported to this server')
    .option('--max-param-length <n>', 'cut param values to this length (500 for servers older than MLflow 2.8)', '6000')
    .option('--json', 'print JSON')
    .action(
      async (
        refs: string[],
        o: { mlflow: string; experiment?: string; force?: boolean; maxParamLength: string; json?: boolean },
      ) => {
        const maxParamLength = intFlag('max-param-length', o.maxParamLength, 1);
        await withStore(async (store) => {
          const res = await exportRunsToMlflow(new Tracker(store), refs, {
            url: o.mlflow,
            experiment: o.experiment,
            force: o.force,
            maxParamLength,
            headers: process.env.MLFLOW_TRACKING_TOKEN
              ? { authorization: `Bearer ${process.env.MLFLOW_TRACKING_TOKEN}` }
              : undefined,
          });
          emit(Boolean(o.json), res, () =>
            table(
              ['run', 'mlflow run', 'status', 'requests', 'params', 'metrics', 'tags'],
              res.map((r) => [
                r.runId.slice(0, 8),
                r.remoteRunId,
                r.skipped
                  ? 'skipped (already exported; --force)'
                  : `exported${r.truncated.length ? ` (${r.truncated.length} values truncated)` : ''}`,
                r.requests,
                r.params,
                r.metrics,
                r.tags,
              ]),
            ),
          );
        });
      },
    );
}

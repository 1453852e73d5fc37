import type { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { autoPromoteRuleFromConfig, maybeAutoPromote } from '../../registry/auto-promote.js';
import { hooksFromConfig } from '../../registry/hooks.js';
import { type BlobSource, Registry } from '../../registry/registry.js';
import type { AliasChange, ModelVersion } from '../../registry/types.js';
import { publishBlobs } from '../../storage/sync.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { emit, intFlag, table } from '../output.js';
import { fmtNum, fmtTime, useStoreConfig, withStore } from './runs.js';

/**
 * The `models` command group, created on first use. Extension point: other areas add subcommands from their
 * own files without editing this one, e.g. serving's `modelsCommand(program).command('export')…`, in any order
 * relative to `register()`.
 */
export function modelsCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'models') ??
    program.command('models').description('Model registry: versions, aliases (production, staging…), audit log.')
  );
}

/** The registry with the promotion hooks of the resolved config (`-c FILE` and key=value overrides). */
function configured(o: { config?: string }, overrides: string[]) {
  const cfg = resolveConfig({ file: o.config, overrides });
  useStoreConfig(cfg.store);
  return { cfg, hooks: hooksFromConfig(cfg.registry) };
}

function parseMetricFlags(list: string[] | undefined): Record<string, number> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const v = Number(item.slice(eq + 1));
    if (eq <= 0 || item.slice(eq + 1).trim() === '' || !Number.isFinite(v)) {
      throw new GnnopsError(
        ErrorCodes.INVALID_ARGUMENT,
        `--metric "${item}" must be key=number (e.g. val_acc_mean=0.79)`,
        {
          metric: item,
        },
      );
    }
    out[item.slice(0, eq)] = v;
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function changeText(c: AliasChange): string {
  if (!c.changed) return `${c.model}@${c.alias} already at version ${c.toVersion ?? 'unset'}; nothing changed`;
  const hooks = c.hooks.map((h) => `\n  hook ${h.kind} ${h.ok ? 'ok' : `FAILED (${h.error ?? h.status})`}`).join('');
  return `${c.model}@${c.alias}: ${c.fromVersion ?? 'unset'} → ${c.toVersion ?? 'unset'} (audit #${c.audit?.id}, event #${c.event?.id})${hooks}`;
}

/**
 * A version's accuracy for the versions table: the seed mean a training run records (`val_acc_mean`), else the
 * single measurement an optimisation variant records (`val_acc`), labelled so the two are not confused.
 */
export function accuracyCell(metrics: Record<string, number>, split: 'val' | 'test'): string {
  const mean = metrics[`${split}_acc_mean`];
  if (mean !== undefined) return fmtNum(mean);
  const one = metrics[`${split}_acc`];
  return one !== undefined ? `${fmtNum(one)} (${split}_acc)` : '—';
}

/** `key=value  key=value`, or — when there are none. */
function pairs(o: Record<string, string | number>, fmt: (x: string | number) => string = String): string {
  return (
    Object.entries(o)
      .map(([k, x]) => `${k}=${fmt(x)}`)
      .join('  ') || '—'
  );
}

function versionRow(v: ModelVersion): (string | number)[] {
  return [
    v.version,
    v.aliases.join(',') || '—',
    v.runId?.slice(0, 8) ?? '—',
    accuracyCell(v.metrics, 'val'),
    accuracyCell(v.metrics, 'test'),
    v.tags.variant_of ? `${v.tags.optimization ?? 'variant'} of ${v.tags.variant_of}` : '—',
    // the dataset's name and version (content hash, shortened) together: either alone is ambiguous
    [v.datasetName, v.datasetHash?.slice(0, 12)].filter((x) => x).join(' ') || '—',
    v.gitSha ? `${v.gitSha.slice(0, 7)}${v.gitDirty ? '*' : ''}` : '—',
    fmtTime(v.createdAt),
    v.createdBy,
  ];
}

export function register(program: Command): void {
  const models = modelsCommand(program);

  models
    .command('list')
    .description('List registered models with their latest version and aliases.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withStore(async (store) => {
        const list = await new Registry(store).listModels();
        emit(Boolean(o.json), list, () =>
          list.length === 0
            ? 'no registered models'
            : table(
                ['model', 'latest', 'aliases', 'created (UTC)'],
                list.map((m) => [
                  m.name,
                  m.latestVersion,
                  Object.entries(m.aliases)
                    .map(([a, v]) => `${a}=${v}`)
                    .join(' ') || '—',
                  fmtTime(m.createdAt),
                ]),
              ),
        );
      });
    });

  models
    .command('show')
    .description('Show a model (versions, aliases, audit log) or one version (NAME/3, NAME@production).')
    .argument('<ref>', 'NAME, NAME/VERSION or NAME@ALIAS')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      await withStore(async (store) => {
        const reg = new Registry(store);
        if (ref.includes('/') || ref.includes('@')) {
          const v = await reg.resolve(ref);
          emit(Boolean(o.json), v, () =>
            [
              `${v.model} version ${v.version}${v.aliases.length ? `  [${v.aliases.join(', ')}]` : ''}`,
              `checkpoint  ${v.checkpointPath} (${v.checkpointSize} B, sha256 ${v.checkpointDigest})`,
              `run         ${v.runId ?? '—'}`,
              `dataset     ${v.datasetName ?? '—'} ${v.datasetHash ?? ''}`,
              `git         ${v.gitSha ?? '—'}${v.gitDirty ? ' (dirty)' : ''}`,
              `profile     ${v.referenceProfileDigest ?? '—'}`,
              `created     ${fmtTime(v.createdAt)} UTC by ${v.createdBy}`,
              `description ${v.description ?? '—'}`,
              `tags        ${pairs(v.tags)}`,
              `metrics     ${pairs(v.metrics, (x) => fmtNum(Number(x)))}`,
              `config      ${JSON.stringify(v.config)}`,
            ].join('\n'),
          );
          return;
        }
        const model = await reg.getModel(ref);
        const versions = await reg.listVersions(ref);
        const audit = await reg.auditLog(ref);
        emit(Boolean(o.json), { ...model, versions, audit }, () =>
          [
            `${model.name}: ${versions.length} versions; aliases ${
              Object.entries(model.aliases)
                .map(([a, v]) => `${a}=${v}`)
                .join(' ') || 'none'
            }`,
            '',
            table(
              [
                'version',
                'aliases',
                'run',
                'val_acc_mean',
                'test_acc_mean',
                'variant',
                'dataset',
                'git',
                'created (UTC)',
                'by',
              ],
              versions.map(versionRow),
            ),
            '',
            `Alias audit log (${audit.length}):`,
            audit.length
              ? table(
                  ['#', 'when (UTC)', 'alias', 'action', 'from', 'to', 'who', 'reason'],
                  audit.map((e) => [
                    e.id,
                    fmtTime(e.at),
                    e.alias,
                    e.action,
                    e.fromVersion ?? '—',
                    e.toVersion ?? '—',
                    e.who,
                    e.reason,
                  ]),
                )
              : '  none',
          ].join('\n'),
        );
      });
    });

  models
    .command('register')
    .description('Register a new version from a run artifact or a checkpoint file.')
    .argument('<name>', 'model name')
    .option('--run <run>', 'source run (lineage: dataset, config, git and metrics default to the run’s)')
    .option('--artifact <name>', 'the run artifact holding the checkpoint', 'checkpoint')
    .option('--checkpoint <file>', 'checkpoint file (instead of a run artifact)')
    .option('--profile <file>', 'reference data profile for drift detection')
    .option('--metric <key=value>', 'version metric (repeatable; overrides the run’s)', collect)
    .option('--description <text>', 'free text')
    .option('--by <who>', 'who registers (default $USER)')
    .option('--auto-promote', 'then apply the auto-promotion rule of the config (registry.auto_promote*)')
    .option('-c, --config <file>', 'YAML config (auto-promotion rule, promotion hooks)')
    .option('--json', 'print JSON')
    .argument('[overrides...]', 'key=value config overrides, e.g. registry.auto_promote_metric=test_acc_mean')
    .action(
      async (
        name: string,
        overrides: string[],
        o: {
          run?: string;
          artifact: string;
          checkpoint?: string;
          profile?: string;
          metric?: string[];
          description?: string;
          by?: string;
          autoPromote?: boolean;
          config?: string;
          json?: boolean;
        },
      ) => {
        if (!o.run && !o.checkpoint) {
          throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'models register needs --run RUN or --checkpoint FILE');
        }
        const { cfg, hooks } = configured(o, overrides);
        await withStore(async (store) => {
          const reg = new Registry(store, { hooks });
          const checkpoint: BlobSource = o.checkpoint ?? { runArtifact: o.artifact };
          const v = await reg.registerVersion({
            model: name,
            runId: o.run,
            checkpoint,
            referenceProfile: o.profile,
            metrics: parseMetricFlags(o.metric),
            description: o.description,
            by: o.by,
          });
          // In shared storage before an alias can point at it, so other workspaces can fetch what they serve.
          await publishBlobs(store.cas, [v.checkpointDigest, v.referenceProfileDigest], cfg.storage);
          const decision = o.autoPromote
            ? await maybeAutoPromote(reg, name, v.version, autoPromoteRuleFromConfig(cfg.registry), { by: o.by })
            : null;
          emit(Boolean(o.json), { version: await reg.getVersion(name, v.version), autoPromotion: decision }, () =>
            [
              `registered ${name} version ${v.version} (checkpoint sha256 ${v.checkpointDigest.slice(0, 16)}…)`,
              decision ? `auto-promotion: ${decision.promoted ? 'promoted' : 'kept'} — ${decision.reason}` : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
        });
      },
    );

  models
    .command('promote')
    .description('Point an alias (production, staging, any name) at a version; recorded in the audit log.')
    .argument('<name>', 'model name')
    .argument('<version>', 'version number')
    .argument('[overrides...]', 'key=value config overrides (e.g. registry.on_promote_command=…)')
    .requiredOption('--alias <alias>', 'alias to move, e.g. production')
    .option('--reason <text>', 'why (kept in the audit log)', '')
    .option('--by <who>', 'who (default $USER)')
    .option('-c, --config <file>', 'YAML config (promotion hooks)')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        version: string,
        overrides: string[],
        o: { alias: string; reason: string; by?: string; config?: string; json?: boolean },
      ) => {
        const { hooks } = configured(o, overrides);
        await withStore(async (store) => {
          const c = await new Registry(store, { hooks }).promote(name, version, o.alias, {
            reason: o.reason,
            by: o.by,
          });
          emit(Boolean(o.json), c, () => changeText(c));
        });
      },
    );

  models
    .command('rollback')
    .description('Move an alias back to the version it held before (walks back further on repeat).')
    .argument('<name>', 'model name')
    .argument('[overrides...]', 'key=value config overrides')
    .requiredOption('--alias <alias>', 'alias to roll back, e.g. production')
    .option('--reason <text>', 'why (kept in the audit log)', '')
    .option('--by <who>', 'who (default $USER)')
    .option('-c, --config <file>', 'YAML config (promotion hooks)')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        overrides: string[],
        o: { alias: string; reason: string; by?: string; config?: string; json?: boolean },
      ) => {
        const { hooks } = configured(o, overrides);
        await withStore(async (store) => {
          const c = await new Registry(store, { hooks }).rollback(name, o.alias, { reason: o.reason, by: o.by });
          emit(Boolean(o.json), c, () => changeText(c));
        });
      },
    );

  models
    .command('events')
    .description('Registry events (registrations, alias changes) after an id: what servers poll.')
    .option('--after <id>', 'only events with a larger id', '0')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (o: { after: string; limit: string; json?: boolean }) => {
      const after = intFlag('after', o.after, 0);
      const limit = intFlag('limit', o.limit, 1, 10000);
      await withStore(async (store) => {
        const ev = await new Registry(store).eventsSince(after, limit);
        emit(Boolean(o.json), ev, () =>
          ev.length === 0
            ? 'no events'
            : table(
                ['id', 'when (UTC)', 'type', 'model', 'version', 'alias', 'from'],
                ev.map((e) => [
                  e.id,
                  fmtTime(e.at),
                  e.type,
                  e.model,
                  e.version ?? '—',
                  e.alias ?? '—',
                  e.fromVersion ?? '—',
                ]),
              ),
        );
      });
    });

  // Extension point: `models export` and `models optimize` come from the serving area via modelsCommand().
}
